// How the Bedrock adapter classifies failures: retried ones, permanent ones, broken answers.
#include <gtest/gtest.h>

#include "fake_model.h"
#include "model/bedrock/bedrock_model.h"

namespace pictor {
namespace {

using testing::FakeModel;

class BedrockFailureTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { fake_ = FakeModel::Start(); }
  static void TearDownTestSuite() { fake_.reset(); }

  void SetUp() override { ASSERT_NE(fake_, nullptr); }

  Result<GeneratedImage> Generate(
      const std::string& model_id,
      std::chrono::milliseconds total_timeout = std::chrono::seconds(30), int width = 1024,
      int height = 1024) {
    BedrockModelOptions options;
    options.endpoint = fake_->base_url();
    options.retry = testing::InstantRetries();
    options.retry_mode = aws::RetryMode::kStandard;  // adaptive mode: adaptive_model_test.cc
    options.total_timeout = total_timeout;
    options.http = http_.get();
    options.credentials = credentials_.get();
    Result<std::unique_ptr<ImageModel>> model = OpenBedrockModel(model_id, std::move(options));
    if (!model.ok()) return model.status();
    Result<GeneratedImage> image = (*model)->Generate({.prompt = "a red kite",
                                                       .negative_prompt = "",
                                                       .seed = 1,
                                                       .width = width,
                                                       .height = height});
    if (!image.ok()) testing::ExpectNoSecret(image.status());
    return image;
  }

  static inline std::unique_ptr<FakeModel> fake_;
  std::unique_ptr<net::HttpClient> http_ = net::NewHttpClient();
  std::unique_ptr<aws::CredentialsProvider> credentials_ = testing::FakeCredentials();
};

constexpr char kTitan[] = "amazon.titan-image-generator-v2:0";
constexpr char kStability[] = "stability.stable-image-ultra-v1:1";

TEST_F(BedrockFailureTest, ThrottlingIsRetriedThenSucceeds) {
  fake_->Control("throttle", 2);
  Result<GeneratedImage> image = Generate(kTitan);
  EXPECT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ(fake_->Calls(), 3);
}

TEST_F(BedrockFailureTest, ThrottlingEveryTimeIsResourceExhaustedAfterAllAttempts) {
  fake_->Control("throttle");
  Result<GeneratedImage> image = Generate(kTitan);
  EXPECT_EQ(image.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(image.status().peer_code(), "ThrottlingException");
  EXPECT_TRUE(image.status().IsRetryable());
  EXPECT_EQ(fake_->Calls(), 3);
}

TEST_F(BedrockFailureTest, ServerErrorEveryTimeIsUnavailableAfterAllAttempts) {
  fake_->Control("fail500");
  Result<GeneratedImage> image = Generate(kTitan);
  EXPECT_EQ(image.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(image.status().IsRetryable());
  EXPECT_EQ(fake_->Calls(), net::RetryPolicy{}.max_attempts);
}

TEST_F(BedrockFailureTest, ServiceUnavailableIsRetryable) {
  fake_->Control("unavailable");
  Result<GeneratedImage> image = Generate(kTitan);
  EXPECT_EQ(image.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(fake_->Calls(), 3);
}

TEST_F(BedrockFailureTest, ModelTimeoutExceptionIsDeadlineExceeded) {
  fake_->Control("model_timeout");
  Result<GeneratedImage> image = Generate(kTitan);
  EXPECT_EQ(image.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(fake_->Calls(), 3);
}

TEST_F(BedrockFailureTest, ASlowAnswerIsDeadlineExceeded) {
  fake_->Control("timeout", -1, 5000);
  Result<GeneratedImage> image = Generate(kTitan, std::chrono::milliseconds(300));
  EXPECT_EQ(image.status().code(), StatusCode::kDeadlineExceeded) << image.status().ToString();
}

TEST_F(BedrockFailureTest, AccessDeniedIsPermissionDeniedAndNotRetried) {
  fake_->Control("access_denied");
  Result<GeneratedImage> image = Generate(kTitan);
  EXPECT_EQ(image.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(fake_->Calls(), 1);
}

TEST_F(BedrockFailureTest, ValidationExceptionIsInvalidArgumentWithTheModelsMessage) {
  fake_->Control("validation");
  Result<GeneratedImage> image = Generate(kTitan);
  EXPECT_EQ(image.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(image.status().peer_http_status(), 400);
  EXPECT_EQ(image.status().peer_code(), "ValidationException");
  EXPECT_NE(image.status().message().find("The model refused this prompt"), std::string::npos)
      << image.status().message();
  EXPECT_EQ(fake_->Calls(), 1);
}

TEST_F(BedrockFailureTest, TitanContentFilterIsInvalidArgumentWithTheModelsMessage) {
  fake_->Control("content_filter");
  Result<GeneratedImage> image = Generate(kTitan);
  EXPECT_EQ(image.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(image.status().reason(), "content_filtered");
  EXPECT_NE(image.status().message().find("blocked by our content filters"), std::string::npos)
      << image.status().message();
}

TEST_F(BedrockFailureTest, StabilityFinishReasonIsInvalidArgumentWithTheModelsMessage) {
  fake_->Control("content_filter");
  Result<GeneratedImage> image = Generate(kStability);
  EXPECT_EQ(image.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(image.status().message().find("Filter reason: prompt"), std::string::npos)
      << image.status().message();
}

TEST_F(BedrockFailureTest, MalformedJsonIsInternal) {
  fake_->Control("malformed_json");
  Result<GeneratedImage> image = Generate(kTitan);
  EXPECT_EQ(image.status().code(), StatusCode::kInternal);
  EXPECT_EQ(fake_->Calls(), 1);
}

TEST_F(BedrockFailureTest, AnImageThatIsNotAPngIsInternal) {
  fake_->Control("not_png");
  Result<GeneratedImage> image = Generate(kStability);
  EXPECT_EQ(image.status().code(), StatusCode::kInternal);
}

TEST_F(BedrockFailureTest, AnImageOfTheWrongSizeIsInternal) {
  fake_->Control("wrong_size");
  Result<GeneratedImage> image = Generate(kTitan);
  EXPECT_EQ(image.status().code(), StatusCode::kInternal);
  EXPECT_NE(image.status().message().find("1040x1024"), std::string::npos)
      << image.status().message();
}

TEST_F(BedrockFailureTest, MissingCredentialsArePermissionDeniedBeforeAnyCall) {
  fake_->Control("ok");
  credentials_ = std::make_unique<aws::CredentialsProvider>(
      []() -> Result<aws::TimedCredentials> { return Status::PermissionDenied("no credentials"); });
  Result<GeneratedImage> image = Generate(kTitan);
  EXPECT_EQ(image.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(fake_->Calls(), 0);
}

}  // namespace
}  // namespace pictor
