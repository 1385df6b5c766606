// Standard-mode retries: what is retried, how the delays grow, and the attempt bound.
#include "aws/retry.h"

#include <gtest/gtest.h>

#include <atomic>

#include "test_http_server.h"

namespace pictor::aws {
namespace {

using std::chrono::milliseconds;
using testing::RecordedRequest;
using testing::ScriptedReply;
using testing::TestHttpServer;

// Replies from `script` in order, then 200 "done".
TestHttpServer::Handler Script(std::vector<ScriptedReply> script) {
  auto next = std::make_shared<std::atomic<size_t>>(0);
  return [script = std::move(script), next](const RecordedRequest&) {
    size_t i = next->fetch_add(1);
    return i < script.size() ? script[i] : ScriptedReply{200, {}, "done"};
  };
}

struct Recorder {
  std::vector<milliseconds> delays;
  RetryPolicy Policy(int max_attempts = 3) {
    RetryPolicy policy;
    policy.max_attempts = max_attempts;
    policy.sleep = [this](milliseconds d) { delays.push_back(d); };
    policy.random01 = [] { return 1.0; };  // the top of each jitter range: deterministic
    return policy;
  }
};

ScriptedReply Throttled() {
  return {400,
          {{"Content-Type", "application/x-amz-json-1.0"}},
          R"({"__type":"com.amazonaws.sqs#ThrottlingException","message":"Rate exceeded"})"};
}

TEST(RetryTest, RetriesA503WithGrowingDelays) {
  TestHttpServer server(Script({{503, {}, ""}, {503, {}, ""}}));
  auto client = NewHttpClient();
  Recorder recorder;
  Result<HttpReply> reply = PerformWithRetries(
      *client, [&] { return HttpCall{.url = server.url() + "/"}; }, recorder.Policy());
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(server.requests().size(), 3u);
  EXPECT_EQ(recorder.delays, (std::vector<milliseconds>{milliseconds(100), milliseconds(200)}));
}

TEST(RetryTest, RetriesAThrottlingBodyWithTheLongerBase) {
  TestHttpServer server(Script({Throttled(), Throttled()}));
  auto client = NewHttpClient();
  Recorder recorder;
  Result<HttpReply> reply = PerformWithRetries(
      *client, [&] { return HttpCall{.url = server.url() + "/"}; }, recorder.Policy());
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(recorder.delays, (std::vector<milliseconds>{milliseconds(500), milliseconds(1000)}));
}

TEST(RetryTest, DoesNotRetryAValidationError) {
  TestHttpServer server(Script({{400,
                                 {{"x-amzn-ErrorType", "ValidationException:http://x/"}},
                                 R"({"message":"bad prompt"})"}}));
  auto client = NewHttpClient();
  Recorder recorder;
  Result<HttpReply> reply = PerformWithRetries(
      *client, [&] { return HttpCall{.url = server.url() + "/"}; }, recorder.Policy());
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->status, 400);
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_TRUE(recorder.delays.empty());
}

TEST(RetryTest, StopsAfterMaxAttemptsAndReturnsTheLastReply) {
  TestHttpServer server(Script({{500, {}, ""}, {502, {}, ""}, {504, {}, ""}, {503, {}, ""}}));
  auto client = NewHttpClient();
  Recorder recorder;
  Result<HttpReply> reply = PerformWithRetries(
      *client, [&] { return HttpCall{.url = server.url() + "/"}; }, recorder.Policy(4));
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->status, 503);
  EXPECT_EQ(server.requests().size(), 4u);
  EXPECT_EQ(recorder.delays.size(), 3u);
}

TEST(RetryTest, RebuildsTheCallForEveryAttempt) {
  TestHttpServer server(Script({{503, {}, ""}}));
  auto client = NewHttpClient();
  Recorder recorder;
  int built = 0;
  Result<HttpReply> reply = PerformWithRetries(
      *client,
      [&] {
        ++built;
        return HttpCall{.url = server.url() + "/",
                        .headers = {{"X-Attempt", std::to_string(built)}}};
      },
      recorder.Policy());
  ASSERT_TRUE(reply.ok());
  ASSERT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(server.requests()[1].Header("X-Attempt"), "2");
}

TEST(RetryTest, RetriesTransportFailuresAndReturnsTheLastStatus) {
  auto client = NewHttpClient();
  Recorder recorder;
  // Port 1 on loopback: nothing listens there, the connection is refused.
  Result<HttpReply> reply = PerformWithRetries(
      *client, [&] { return HttpCall{.url = "http://127.0.0.1:1/"}; }, recorder.Policy());
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(recorder.delays.size(), 2u);
}

TEST(RetryTest, ClassifiesRepliesByStatusAndCode) {
  struct Case {
    long status;
    std::string body;
    RetryKind want;
  };
  const Case cases[] = {
      {200, "", RetryKind::kNone},
      {404, "", RetryKind::kNone},
      {403, "<Error><Code>AccessDenied</Code></Error>", RetryKind::kNone},
      {429, "", RetryKind::kThrottling},
      {503, "<Error><Code>SlowDown</Code></Error>", RetryKind::kThrottling},
      {400, "<Error><Code>RequestTimeout</Code></Error>", RetryKind::kTransient},
      {424, R"({"__type":"ModelNotReadyException"})", RetryKind::kTransient},
      {504, "", RetryKind::kTransient},
      {501, "", RetryKind::kNone},
  };
  for (const Case& c : cases) {
    HttpReply reply{.status = c.status, .headers = {}, .body = c.body};
    EXPECT_EQ(ClassifyAttempt(reply), c.want) << c.status << " " << c.body;
  }
  EXPECT_EQ(ClassifyAttempt(Status::DeadlineExceeded("t")), RetryKind::kTransient);
  EXPECT_EQ(ClassifyAttempt(Status::InvalidArgument("u")), RetryKind::kNone);
}

}  // namespace
}  // namespace pictor::aws
