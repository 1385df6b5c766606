// The retry loop: what is retried by default, how the delays grow, and the attempt bound.
#include "net/retry.h"

#include <gtest/gtest.h>

#include <atomic>

#include "test_http_server.h"

namespace pictor::net {
namespace {

using std::chrono::milliseconds;
using testing::RecordedRequest;
using testing::ScriptedHandler;
using testing::ScriptedReply;
using testing::TestHttpServer;

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

TEST(RetryTest, RetriesA503WithGrowingDelays) {
  TestHttpServer server(ScriptedHandler({{503, {}, ""}, {503, {}, ""}}));
  auto client = NewHttpClient();
  Recorder recorder;
  Result<HttpReply> reply = PerformWithRetries(
      *client, [&] { return HttpCall{.url = server.url() + "/"}; }, recorder.Policy());
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(server.requests().size(), 3u);
  EXPECT_EQ(recorder.delays, (std::vector<milliseconds>{milliseconds(100), milliseconds(200)}));
}

TEST(RetryTest, StopsAfterMaxAttemptsAndReturnsTheLastReply) {
  TestHttpServer server(
      ScriptedHandler({{500, {}, ""}, {502, {}, ""}, {504, {}, ""}, {503, {}, ""}}));
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
  TestHttpServer server(ScriptedHandler({{503, {}, ""}}));
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

TEST(RetryTest, ClassifiesRepliesByTheirHttpStatusOnly) {
  struct Case {
    long status;
    std::string body;
    RetryKind want;
  };
  const Case cases[] = {
      {200, "", RetryKind::kNone},
      {404, "", RetryKind::kNone},
      {429, "", RetryKind::kThrottling},
      {408, "", RetryKind::kTransient},
      {500, "", RetryKind::kTransient},
      {502, "", RetryKind::kTransient},
      {503, "", RetryKind::kTransient},
      {504, "", RetryKind::kTransient},
      {501, "", RetryKind::kNone},
      // A body is not read: what a service's error codes mean is the service's to say.
      {400, R"({"__type":"ThrottlingException"})", RetryKind::kNone},
  };
  for (const Case& c : cases) {
    HttpReply reply{.status = c.status, .headers = {}, .body = c.body};
    EXPECT_EQ(ClassifyHttpAttempt(reply), c.want) << c.status << " " << c.body;
  }
  EXPECT_EQ(ClassifyHttpAttempt(Status::Unavailable("r")), RetryKind::kTransient);
  EXPECT_EQ(ClassifyHttpAttempt(Status::DeadlineExceeded("t")), RetryKind::kTransient);
  EXPECT_EQ(ClassifyHttpAttempt(Status::InvalidArgument("u")), RetryKind::kNone);
}

TEST(RetryTest, UsesThePolicysClassification) {
  TestHttpServer server(ScriptedHandler({{418, {}, ""}, {418, {}, ""}}));
  auto client = NewHttpClient();
  Recorder recorder;
  RetryPolicy policy = recorder.Policy();
  policy.classify = [](const Result<HttpReply>& outcome) {
    return outcome.ok() && outcome->status == 418 ? RetryKind::kThrottling : RetryKind::kNone;
  };
  Result<HttpReply> reply = PerformWithRetries(
      *client, [&] { return HttpCall{.url = server.url() + "/"}; }, policy);
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(server.requests().size(), 3u);
  EXPECT_EQ(recorder.delays, (std::vector<milliseconds>{milliseconds(500), milliseconds(1000)}));
}

}  // namespace
}  // namespace pictor::net
