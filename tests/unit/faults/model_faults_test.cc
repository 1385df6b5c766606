// The Bedrock and OpenAI adapters through the fault proxy, in front of the fake model server:
// each fault retried within the attempt bound or failed clearly, and adaptive mode keeping a
// throttled fleet of callers from multiplying its retries.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "aws/retry_mode.h"
#include "model/bedrock/bedrock_model.h"
#include "model/openai/openai_model.h"
#include "net/adaptive_rate.h"
#include "peers/fault_proxy.h"
#include "unit/model_remote/fake_model.h"

namespace pictor {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr char kTitan[] = "amazon.titan-image-generator-v2:0";
const GenerationRequest kRequest{
    .prompt = "a red kite", .negative_prompt = "", .seed = 1, .width = 512, .height = 512};

class ModelFaultsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fake_ = testing::FakeModel::Start().release();
    if (fake_ != nullptr) proxy_ = testing::FaultProxy::Start(fake_->base_url()).release();
  }
  static void TearDownTestSuite() {
    delete proxy_;
    delete fake_;
    proxy_ = nullptr;
    fake_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(proxy_, nullptr);
    proxy_->Clear();
  }

  std::unique_ptr<ImageModel> Bedrock(net::RetryPolicy retry = testing::InstantRetries(),
                                      aws::RetryMode mode = aws::RetryMode::kStandard) {
    BedrockModelOptions options;
    options.endpoint = proxy_->base_url();
    options.retry = std::move(retry);
    options.retry_mode = mode;
    options.total_timeout = 1500ms;
    options.http = http_.get();
    options.credentials = credentials_.get();
    auto model = OpenBedrockModel(kTitan, std::move(options));
    EXPECT_TRUE(model.ok()) << model.status().ToString();
    return model.ok() ? std::move(model).value() : nullptr;
  }

  std::unique_ptr<ImageModel> OpenAi() {
    auto model = OpenOpenAiModel(proxy_->base_url(), {.api_key = testing::kOpenAiKey,
                                                      .retry = testing::InstantRetries(),
                                                      .retry_mode = aws::RetryMode::kStandard,
                                                      .total_timeout = 1500ms});
    EXPECT_TRUE(model.ok()) << model.status().ToString();
    return model.ok() ? std::move(model).value() : nullptr;
  }

  static json Rule(const std::string& fault, int count = 1) {
    return {
        {"method", "POST"}, {"path", "^/(model/|v1/images)"}, {"fault", fault}, {"count", count}};
  }
  static json Error(const std::string& protocol, int status, const std::string& code, int count) {
    json rule = Rule("error", count);
    rule.update({{"protocol", protocol}, {"status", status}, {"code", code}});
    return rule;
  }
  size_t Calls() { return proxy_->Requests("POST").size(); }

  static inline testing::FakeModel* fake_ = nullptr;
  static inline testing::FaultProxy* proxy_ = nullptr;
  std::unique_ptr<net::HttpClient> http_ = net::NewHttpClient();
  std::unique_ptr<aws::CredentialsProvider> credentials_ = testing::FakeCredentials();
};

TEST_F(ModelFaultsTest, BedrockThrottlingIsRetriedThenSucceeds) {
  proxy_->Script(json::array({Error("bedrock", 429, "ThrottlingException", 2)}));
  auto image = Bedrock()->Generate(kRequest);
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ(Calls(), 3u);
}

TEST_F(ModelFaultsTest, BedrockServiceUnavailableEveryTimeStopsAtTheBound) {
  proxy_->Script(json::array({Error("bedrock", 503, "ServiceUnavailableException", -1)}));
  auto image = Bedrock()->Generate(kRequest);
  EXPECT_EQ(image.status().code(), StatusCode::kUnavailable) << image.status().ToString();
  EXPECT_EQ(Calls(), 3u);
}

TEST_F(ModelFaultsTest, AResetInTheMiddleOfTheImageIsRetried) {
  proxy_->Script(json::array({Rule("reset")}));
  auto image = Bedrock()->Generate(kRequest);
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ(image->width, 512);
  EXPECT_EQ(Calls(), 2u);
}

TEST_F(ModelFaultsTest, AContentLengthBeyondTheBodyIsRetried) {
  json rule = Rule("length");
  rule["delta"] = 1000;
  proxy_->Script(json::array({rule}));
  auto image = Bedrock()->Generate(kRequest);
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ(Calls(), 2u);
}

TEST_F(ModelFaultsTest, AStallBeyondTheTimeoutIsDeadlineExceededAfterTheBound) {
  json rule = Rule("stall", -1);
  rule["seconds"] = 4;
  proxy_->Script(json::array({rule}));
  auto image = Bedrock()->Generate(kRequest);
  EXPECT_EQ(image.status().code(), StatusCode::kDeadlineExceeded) << image.status().ToString();
  EXPECT_EQ(Calls(), 3u);
}

TEST_F(ModelFaultsTest, TruncatedJsonIsAClearErrorAndNotRetried) {
  proxy_->Script(json::array({Rule("truncate")}));
  auto image = Bedrock()->Generate(kRequest);
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.status().code(), StatusCode::kInternal) << image.status().ToString();
  EXPECT_NE(image.status().message().find("malformed JSON"), std::string::npos);
  EXPECT_EQ(Calls(), 1u) << "a 200 reply is not retried: the model may bill each call";
}

TEST_F(ModelFaultsTest, ClockSkewIsAPermanentErrorThatSaysSo) {
  json rule = Rule("skew", -1);
  rule["protocol"] = "bedrock";
  proxy_->Script(json::array({rule}));
  auto image = Bedrock()->Generate(kRequest);
  EXPECT_EQ(image.status().code(), StatusCode::kPermissionDenied) << image.status().ToString();
  EXPECT_NE(image.status().message().find("Signature expired"), std::string::npos);
  EXPECT_EQ(Calls(), 1u);
}

TEST_F(ModelFaultsTest, OpenAiRateLimitIsRetriedThenSucceeds) {
  proxy_->Script(json::array({Error("openai", 429, "rate_limit_exceeded", 2)}));
  auto image = OpenAi()->Generate(kRequest);
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ(Calls(), 3u);
}

TEST_F(ModelFaultsTest, OpenAiResetAndMalformedAnswers) {
  proxy_->Script(json::array({Rule("reset")}));
  auto image = OpenAi()->Generate(kRequest);
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ(Calls(), 2u);

  json rule = Rule("malformed");
  rule["body"] = "{\"data\": [{\"b64_json\": 7}]}";
  proxy_->Script(json::array({rule}));
  auto broken = OpenAi()->Generate(kRequest);
  EXPECT_EQ(broken.status().code(), StatusCode::kInternal) << broken.status().ToString();
  EXPECT_EQ(Calls(), 1u);
}

// Sixteen callers meet a model that throttles every call. In standard mode each makes its three
// attempts (48 calls); sharing an adaptive limiter, the throttling replies cut the rate to its
// floor, and the callers whose token is not due within max_rate_wait give up without a call.
TEST_F(ModelFaultsTest, AdaptiveModeKeepsAThrottledFleetFromMultiplyingItsCalls) {
  proxy_->Script(json::array({Error("bedrock", 429, "ThrottlingException", -1)}));
  net::RetryPolicy retry = testing::InstantRetries();
  retry.limiter = std::make_shared<net::AdaptiveRateLimiter>();
  retry.max_rate_wait = 2500ms;
  std::unique_ptr<ImageModel> model = Bedrock(retry, aws::RetryMode::kAdaptive);
  ASSERT_NE(model, nullptr);
  constexpr int kCallers = 16;
  std::atomic<int> exhausted{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&] {
      auto image = model->Generate(kRequest);
      if (image.status().code() == StatusCode::kResourceExhausted) ++exhausted;
    });
  }
  for (std::thread& caller : callers) caller.join();
  EXPECT_EQ(exhausted.load(), kCallers);
  EXPECT_TRUE(retry.limiter->enabled());
  // Standard mode makes 3 calls per caller. Here the first attempts go out before any reply
  // (16 at most), each throttling reply cuts the rate to 0.7 of itself, and at the floor a
  // token comes every 2 s: 17 or 18 calls in practice; the bound leaves room for a loaded
  // machine delaying the replies, and still means less than one retry per caller.
  EXPECT_LE(Calls(), static_cast<size_t>(2 * kCallers));
}

}  // namespace
}  // namespace pictor
