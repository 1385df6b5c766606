// AWS's retry modes: which AWS replies the standard mode retries (error codes in bodies and
// headers, not only HTTP statuses), and AWS_RETRY_MODE.
#include "aws/retry_mode.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "net/http_client.h"
#include "net/retry.h"
#include "unit/net/test_http_server.h"

namespace pictor::aws {
namespace {

using net::HttpCall;
using net::HttpReply;
using net::NewHttpClient;
using net::PerformWithRetries;
using net::RetryKind;
using net::RetryPolicy;
using net::testing::RecordedRequest;
using net::testing::ScriptedHandler;
using net::testing::ScriptedReply;
using net::testing::TestHttpServer;
using std::chrono::milliseconds;

struct Recorder {
  std::vector<milliseconds> delays;
  // As AwsClient takes it: the standard mode's classification of AWS replies.
  RetryPolicy Policy(int max_attempts = 3) {
    RetryPolicy policy;
    policy.max_attempts = max_attempts;
    policy.sleep = [this](milliseconds d) { delays.push_back(d); };
    policy.random01 = [] { return 1.0; };  // the top of each jitter range: deterministic
    return WithAwsClassification(std::move(policy));
  }
};

ScriptedReply Throttled() {
  return {400,
          {{"Content-Type", "application/x-amz-json-1.0"}},
          R"({"__type":"com.amazonaws.sqs#ThrottlingException","message":"Rate exceeded"})"};
}

TEST(AwsRetryTest, RetriesAThrottlingBodyWithTheLongerBase) {
  TestHttpServer server(ScriptedHandler({Throttled(), Throttled()}));
  auto client = NewHttpClient();
  Recorder recorder;
  Result<HttpReply> reply = PerformWithRetries(
      *client, [&] { return HttpCall{.url = server.url() + "/"}; }, recorder.Policy());
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(recorder.delays, (std::vector<milliseconds>{milliseconds(500), milliseconds(1000)}));
}

TEST(AwsRetryTest, DoesNotRetryAValidationError) {
  TestHttpServer server(ScriptedHandler({{400,
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

TEST(AwsRetryTest, ClassifiesRepliesByStatusAndCode) {
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

TEST(AwsRetryTest, KeepsAClassificationTheCallerChose) {
  RetryPolicy policy;
  policy.classify = [](const Result<HttpReply>&) { return RetryKind::kNone; };
  RetryPolicy kept = WithAwsClassification(policy);
  EXPECT_EQ(kept.classify(HttpReply{.status = 503, .headers = {}, .body = ""}), RetryKind::kNone);
}

TEST(RetryModeTest, ParsesTheSdkValues) {
  EXPECT_EQ(*ParseRetryMode("adaptive", RetryMode::kStandard), RetryMode::kAdaptive);
  EXPECT_EQ(*ParseRetryMode("standard", RetryMode::kAdaptive), RetryMode::kStandard);
  EXPECT_EQ(*ParseRetryMode("legacy", RetryMode::kAdaptive), RetryMode::kStandard);
  EXPECT_EQ(*ParseRetryMode("", RetryMode::kAdaptive), RetryMode::kAdaptive);
  Result<RetryMode> bad = ParseRetryMode("fast", RetryMode::kAdaptive);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("adaptive"), std::string::npos);
}

}  // namespace
}  // namespace pictor::aws
