// Debian's AWS CLI (/usr/bin/aws, SQS query protocol through the fauxqs front) and the SQS
// adapter see the same messages: what one sends, the other receives unchanged.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/digest.h"
#include "queue/sqs/sqs_messages.h"
#include "unit/queue_sqs/fauxqs_fixture.h"

namespace pictor::sqs {
namespace {

using namespace std::chrono_literals;

constexpr const char* kAws = "/usr/bin/aws";  // Debian's; not another aws earlier on PATH
constexpr const char* kBody = "En katt og en hund som utforsker verdensrommet sammen ✨";

struct CliResult {
  int exit_code = -1;
  std::string out;
};

// Runs /usr/bin/aws with `args` (no shell) and collects its stdout (and stderr too when
// `with_stderr`; otherwise stderr goes to the test's).
CliResult RunAws(const std::vector<std::string>& args, bool with_stderr) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return {};
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    if (with_stderr) ::dup2(pipe_fds[1], STDERR_FILENO);
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(kAws));
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(kAws, argv.data());
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  CliResult result;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(pipe_fds[0], buf, sizeof buf)) > 0) result.out.append(buf, n);
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

class SqsCliTest : public testing::FauxqsTest {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(kAws))
        << kAws << " is missing: apt-get install awscli (Debian's AWS CLI v2)";
    FauxqsTest::SetUp();
    if (HasFatalFailure()) return;
    url_ = CreateQueue("cli");
    ASSERT_FALSE(url_.empty());
  }

  // Debian's CLI (2.9) predates AWS_ENDPOINT_URL, so the endpoint is given on the command line.
  CliResult Aws(std::vector<std::string> args, bool with_stderr = false) {
    args.insert(args.begin(), {"--endpoint-url", peer_->base_url(), "--output", "json"});
    return RunAws(args, with_stderr);
  }

  std::string url_;
};

TEST_F(SqsCliTest, CliSentMessageIsReceivedUnchanged) {
  CliResult sent = Aws({"sqs", "send-message", "--queue-url", url_, "--message-body", kBody});
  ASSERT_EQ(sent.exit_code, 0) << sent.out;
  nlohmann::json reply = nlohmann::json::parse(sent.out, nullptr, false);
  EXPECT_EQ(reply.value("MD5OfMessageBody", ""), Md5Hex(kBody));

  auto queue = Open(url_);
  auto got = queue->Receive({.wait = 5s});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].body, kBody);
  EXPECT_EQ((*got)[0].message_id, reply.value("MessageId", ""));
}

TEST_F(SqsCliTest, AdapterSentMessageIsReceivedByTheCliWithMatchingMd5) {
  auto queue = Open(url_);
  auto sent = queue->Send({kBody});
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();

  CliResult got = Aws({"sqs", "receive-message", "--queue-url", url_, "--wait-time-seconds", "5",
                       "--attribute-names", "All"});
  ASSERT_EQ(got.exit_code, 0) << got.out;
  nlohmann::json reply = nlohmann::json::parse(got.out, nullptr, false);
  ASSERT_TRUE(reply.contains("Messages")) << got.out;
  ASSERT_EQ(reply["Messages"].size(), 1u);
  const nlohmann::json& message = reply["Messages"][0];
  EXPECT_EQ(message.value("Body", ""), kBody);
  EXPECT_EQ(message.value("MD5OfBody", ""), sent->md5_of_body);
  EXPECT_EQ(message.value("MessageId", ""), sent->message_id);
  EXPECT_EQ(message["Attributes"].value("ApproximateReceiveCount", ""), "1");
}

TEST_F(SqsCliTest, CliDeletesWithTheHandleItReceived) {
  auto queue = Open(url_);
  ASSERT_TRUE(queue->Send({"to delete"}).ok());
  CliResult got = Aws({"sqs", "receive-message", "--queue-url", url_});
  ASSERT_EQ(got.exit_code, 0) << got.out;
  nlohmann::json reply = nlohmann::json::parse(got.out, nullptr, false);
  ASSERT_TRUE(reply.contains("Messages")) << got.out;
  std::string handle = reply["Messages"][0].value("ReceiptHandle", "");
  ASSERT_EQ(
      Aws({"sqs", "delete-message", "--queue-url", url_, "--receipt-handle", handle}).exit_code, 0);
  auto attrs = queue->Attributes();
  ASSERT_TRUE(attrs.ok()) << attrs.status().ToString();
  EXPECT_EQ(attrs->visible + attrs->in_flight, 0);
}

TEST_F(SqsCliTest, CliSeesAMissingQueueAsNonExistentQueue) {
  CliResult got = Aws({"sqs", "get-queue-url", "--queue-name", "no-such-queue"}, true);
  EXPECT_NE(got.exit_code, 0);
  EXPECT_NE(got.out.find("AWS.SimpleQueueService.NonExistentQueue"), std::string::npos) << got.out;
}

}  // namespace
}  // namespace pictor::sqs
