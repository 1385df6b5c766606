// `pictor keys` on an SQS deployment: with no job ledger (SQS) or `--jobs store`, keys are JSON
// objects in the S3 image store under <key prefix>/keys/, where the Lambda API function and
// every server read them. Creates racing from two processes on S3 leave exactly one key.
#include <algorithm>
#include <regex>

#include "core/api_key.h"
#include "integration/aws_e2e/aws_fixture.h"
#include "peers/fault_proxy.h"

namespace pictor::aws_e2e {
namespace {

bool IsKeyLine(const std::string& out) {
  static const std::regex kKey("pk_[A-Za-z0-9_-]{43}\n");
  return std::regex_match(out, kKey);
}

class KeysOnS3Test : public AwsPeersTest {
 protected:
  void SetUp() override {
    AwsPeersTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(MakeBucket("keys-images"));
    queue_url_ = MakeQueue("keys-prompts");
    ASSERT_FALSE(queue_url_.empty());
  }

  // The flags of an SQS deployment without job records, images in s3://keys-images/team.
  std::vector<std::string> With(std::vector<std::string> args) const {
    for (const char* flag :
         {"--queue", queue_url_.c_str(), "--store", "s3://keys-images", "--key-prefix", "team"}) {
      args.emplace_back(flag);
    }
    args.insert(args.begin(), "keys");
    return args;
  }

  std::string queue_url_;
};

TEST_F(KeysOnS3Test, KeysAreObjectsUnderThePrefixAndTheCommandsWorkOnThem) {
  RunResult created = Pictor(With({"create", "--name", "lambda", "--rate", "60/min"}));
  ASSERT_EQ(created.code(), 0) << created.err;
  ASSERT_TRUE(IsKeyLine(created.out)) << created.out;
  EXPECT_NE(created.err.find("s3://keys-images under team/keys/"), std::string::npos)
      << created.err;
  auto keys = ListKeys("keys-images");
  ASSERT_TRUE(keys.has_value());
  EXPECT_NE(std::find(keys->begin(), keys->end(), "team/keys/lambda.json"), keys->end());

  RunResult rotated = Pictor(With({"rotate", "--name", "lambda", "--grace", "10m"}));
  ASSERT_EQ(rotated.code(), 0) << rotated.err;
  ASSERT_TRUE(IsKeyLine(rotated.out)) << rotated.out;
  EXPECT_NE(rotated.out, created.out);

  ASSERT_EQ(Pictor(With({"revoke", "--name", "lambda"})).code(), 0);
  RunResult listed = Pictor(With({"list"}));
  ASSERT_EQ(listed.code(), 0) << listed.err;
  EXPECT_NE(listed.out.find("lambda"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("60/min"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("revoked"), std::string::npos) << listed.out;
  EXPECT_EQ(listed.out.find(created.out.substr(0, 46)), std::string::npos);

  RunResult again = Pictor(With({"create", "--name", "lambda"}));
  EXPECT_EQ(again.code(), 1) << again.err;
  EXPECT_TRUE(again.out.empty()) << again.out;
}

TEST_F(KeysOnS3Test, TwoProcessesCreatingOneNameAtOnceLeaveOneKey) {
  auto first = SpawnPictor(With({"create", "--name", "contested"}));
  auto second = SpawnPictor(With({"create", "--name", "contested"}));
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  int winners = 0;
  for (auto* p : {first.get(), second.get()}) {
    auto status = p->Wait(60s);
    ASSERT_TRUE(status.has_value());
    ASSERT_TRUE(status->exited);
    if (status->code == 0) {
      ++winners;
      EXPECT_TRUE(IsKeyLine(p->Stdout())) << p->Stdout();
    } else {
      EXPECT_EQ(status->code, 1) << p->Stderr();
      EXPECT_TRUE(p->Stdout().empty()) << p->Stdout();
      EXPECT_NE(p->Stderr().find("exists"), std::string::npos) << p->Stderr();
    }
  }
  EXPECT_EQ(winners, 1);
}

// The create's PUT reaches S3, but its reply is lost (the connection resets mid-answer): the S3
// adapter sends it again, S3 refuses it (the object exists), and the key store must recognise
// the object as its own write by the new key's hash, not report the name as taken.
TEST_F(KeysOnS3Test, ACreateWhoseReplyIsLostIsRetriedAndRecognisedAsItsOwnWrite) {
  auto proxy = pictor::testing::FaultProxy::Start(Endpoint());
  ASSERT_NE(proxy, nullptr);
  proxy->Script(nlohmann::json::array(
      {{{"method", "PUT"}, {"path", "team/keys/ci\\.json"}, {"fault", "reset"}}}));
  RunResult r = Pictor(With({"create", "--name", "ci"}), {{"AWS_ENDPOINT_URL", proxy->base_url()}});
  ASSERT_EQ(r.code(), 0) << r.err;
  ASSERT_TRUE(IsKeyLine(r.out)) << r.out;
  const auto puts = proxy->Requests("PUT", "team/keys/ci.json");
  ASSERT_EQ(puts.size(), 2u) << "the lost reply was not retried";
  EXPECT_EQ(puts[0].fault, "reset");

  RunResult stored = Aws({"s3", "cp", "s3://keys-images/team/keys/ci.json", "-"});
  ASSERT_EQ(stored.code(), 0) << stored.err;
  const nlohmann::json record = nlohmann::json::parse(stored.out, nullptr, false);
  ASSERT_TRUE(record.is_object()) << stored.out;
  EXPECT_EQ(record.value("hash", ""), HashApiKey(r.out.substr(0, kApiKeyLength)));
}

// Every reply to the create's PUT is lost: the command fails, but S3 holds the record of a key
// nobody saw. The error says so and how to recover, and that way works.
TEST_F(KeysOnS3Test, ACreateThatMayHaveBeenStoredSaysHowToRecover) {
  auto proxy = pictor::testing::FaultProxy::Start(Endpoint());
  ASSERT_NE(proxy, nullptr);
  proxy->Script(nlohmann::json::array(
      {{{"method", "PUT"}, {"path", "team/keys/ci\\.json"}, {"fault", "reset"}, {"count", -1}}}));
  RunResult r = Pictor(With({"create", "--name", "ci"}), {{"AWS_ENDPOINT_URL", proxy->base_url()}});
  EXPECT_EQ(r.code(), 1) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find("created all the same"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("pictor keys rotate --name ci"), std::string::npos) << r.err;
  EXPECT_GE(proxy->Requests("PUT", "team/keys/ci.json").size(), 2u);

  RunResult listed = Pictor(With({"list"}));
  ASSERT_EQ(listed.code(), 0) << listed.err;
  EXPECT_NE(listed.out.find("\nci "), std::string::npos) << listed.out;
  RunResult rotated = Pictor(With({"rotate", "--name", "ci"}));
  ASSERT_EQ(rotated.code(), 0) << rotated.err;
  ASSERT_TRUE(IsKeyLine(rotated.out)) << rotated.out;
  RunResult stored = Aws({"s3", "cp", "s3://keys-images/team/keys/ci.json", "-"});
  ASSERT_EQ(stored.code(), 0) << stored.err;
  const nlohmann::json record = nlohmann::json::parse(stored.out, nullptr, false);
  ASSERT_TRUE(record.is_object()) << stored.out;
  EXPECT_EQ(record.value("hash", ""), HashApiKey(rotated.out.substr(0, kApiKeyLength)));
}

TEST_F(KeysOnS3Test, AMissingBucketFailsClearlyWithoutPrintingAKey) {
  RunResult r = Pictor(
      {"keys", "create", "--name", "ci", "--queue", queue_url_, "--store", "s3://no-such-bucket"});
  EXPECT_EQ(r.code(), 1) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find("no-such-bucket"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace pictor::aws_e2e
