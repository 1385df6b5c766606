// The OpenAI-compatible adapter against the fake endpoint: request shape, key handling, errors.
#include "model/openai/openai_model.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "fake_model.h"
#include "image/png_answer.h"

namespace pictor {
namespace {

using nlohmann::json;
using testing::FakeModel;

// Sets environment variables for one test and restores them after.
class ScopedVars {
 public:
  ScopedVars() {
    for (const char* name : kNames) {
      const char* value = std::getenv(name);
      saved_.emplace_back(name, value ? std::optional<std::string>(value) : std::nullopt);
      ::unsetenv(name);
    }
  }
  ~ScopedVars() {
    for (const auto& [name, value] : saved_) {
      if (value) {
        ::setenv(name, value->c_str(), 1);
      } else {
        ::unsetenv(name);
      }
    }
  }
  void Set(const char* name, const char* value) { ::setenv(name, value, 1); }

 private:
  static constexpr const char* kNames[] = {"OPENAI_API_KEY", "PICTOR_OPENAI_API_KEY",
                                           "PICTOR_OPENAI_MODEL"};
  std::vector<std::pair<const char*, std::optional<std::string>>> saved_;
};

class OpenAiModelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { fake_ = FakeModel::Start(); }
  static void TearDownTestSuite() { fake_.reset(); }

  void SetUp() override {
    ASSERT_NE(fake_, nullptr);
    fake_->Control("ok");
  }

  std::unique_ptr<ImageModel> Open(
      std::string key = testing::kOpenAiKey,
      std::chrono::milliseconds total_timeout = std::chrono::seconds(30),
      std::string base_url = "") {
    OpenAiModelOptions options;
    options.model = "test-image-model";
    options.api_key = std::move(key);
    options.retry = testing::InstantRetries();
    options.retry_mode = aws::RetryMode::kStandard;  // adaptive mode: adaptive_model_test.cc
    options.total_timeout = total_timeout;
    options.http = http_.get();
    Result<std::unique_ptr<ImageModel>> model =
        OpenOpenAiModel(base_url.empty() ? fake_->base_url() : base_url, std::move(options));
    EXPECT_TRUE(model.ok()) << model.status().ToString();
    return model.ok() ? std::move(model).value() : nullptr;
  }

  static GenerationRequest Request(int width = 320, int height = 200) {
    return {.prompt = "a paper boat",
            .negative_prompt = "",
            .seed = 9,
            .width = width,
            .height = height};
  }

  static Result<GeneratedImage> Generate(ImageModel& model) {
    Result<GeneratedImage> image = model.Generate(Request());
    if (!image.ok()) testing::ExpectNoSecret(image.status());
    return image;
  }

  static inline std::unique_ptr<FakeModel> fake_;
  std::unique_ptr<net::HttpClient> http_ = net::NewHttpClient();
  ScopedVars vars_;
};

TEST_F(OpenAiModelTest, GeneratesAPngOfTheRequestedSize) {
  std::unique_ptr<ImageModel> model = Open();
  Result<GeneratedImage> image = Generate(*model);
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  std::optional<image::PngSize> size = image::ReadPngSize(image->png);
  ASSERT_TRUE(size);
  EXPECT_EQ(size->width, 320);
  EXPECT_EQ(size->height, 200);
  EXPECT_EQ(image->model, "openai");
  EXPECT_EQ(model->Name(), "openai");
}

TEST_F(OpenAiModelTest, SendsTheImagesGenerationsBody) {
  std::unique_ptr<ImageModel> model = Open();
  ASSERT_TRUE(Generate(*model).ok());
  EXPECT_EQ(fake_->Last(), json::parse(R"({"model": "test-image-model", "prompt": "a paper boat",
      "n": 1, "size": "320x200", "response_format": "b64_json"})"));
}

TEST_F(OpenAiModelTest, ABaseUrlEndingInV1IsNotDoubled) {
  std::unique_ptr<ImageModel> model =
      Open(testing::kOpenAiKey, std::chrono::seconds(30), fake_->base_url() + "/v1/");
  EXPECT_TRUE(Generate(*model).ok());
}

TEST_F(OpenAiModelTest, KeyAndModelComeFromTheEnvironment) {
  vars_.Set("OPENAI_API_KEY", testing::kOpenAiKey);
  vars_.Set("PICTOR_OPENAI_MODEL", "env-model");
  Result<std::unique_ptr<ImageModel>> model = OpenOpenAiModel(
      fake_->base_url(),
      {.retry = testing::InstantRetries(), .retry_mode = aws::RetryMode::kStandard});
  ASSERT_TRUE(model.ok());
  Result<GeneratedImage> image = Generate(**model);
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ(fake_->Last()["model"], "env-model");
}

TEST_F(OpenAiModelTest, PictorKeyVariableWinsOverOpenAiApiKey) {
  vars_.Set("OPENAI_API_KEY", "sk-some-other-key");
  vars_.Set("PICTOR_OPENAI_API_KEY", testing::kOpenAiKey);
  Result<std::unique_ptr<ImageModel>> model = OpenOpenAiModel(fake_->base_url());
  ASSERT_TRUE(model.ok());
  EXPECT_TRUE(Generate(**model).ok());
}

TEST_F(OpenAiModelTest, DefaultModelIsDallE3) {
  std::unique_ptr<ImageModel> model;
  {
    Result<std::unique_ptr<ImageModel>> opened =
        OpenOpenAiModel(fake_->base_url(), {.api_key = testing::kOpenAiKey});
    ASSERT_TRUE(opened.ok());
    model = std::move(opened).value();
  }
  ASSERT_TRUE(Generate(*model).ok());
  EXPECT_EQ(fake_->Last()["model"], kDefaultOpenAiModel);
}

TEST_F(OpenAiModelTest, AWrongKeyIsPermissionDeniedAndNeverQuoted) {
  const std::string wrong = "sk-wrong-key-quoted-back-by-the-server";
  std::unique_ptr<ImageModel> model = Open(wrong);
  Result<GeneratedImage> image = Generate(*model);
  EXPECT_EQ(image.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(image.status().peer_http_status(), 401);
  EXPECT_EQ(image.status().peer_code(), "invalid_api_key");
  EXPECT_EQ(image.status().message().find(wrong), std::string::npos) << image.status().message();
  EXPECT_NE(image.status().message().find("Incorrect API key"), std::string::npos);
}

TEST_F(OpenAiModelTest, ContentPolicyIsInvalidArgumentWithTheServersMessage) {
  fake_->Control("content_filter");
  Result<GeneratedImage> image = Generate(*Open());
  EXPECT_EQ(image.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(image.status().reason(), "content_filtered");
  EXPECT_EQ(image.status().peer_http_status(), 400);
  EXPECT_EQ(image.status().peer_code(), "content_policy_violation");
  EXPECT_NE(image.status().message().find("safety system"), std::string::npos);
  EXPECT_EQ(fake_->Calls(), 1);
}

TEST_F(OpenAiModelTest, ABadRequestIsInvalidArgument) {
  fake_->Control("validation");
  Result<GeneratedImage> image = Generate(*Open());
  EXPECT_EQ(image.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(fake_->Calls(), 1);
}

TEST_F(OpenAiModelTest, ForbiddenIsPermissionDenied) {
  fake_->Control("access_denied");
  EXPECT_EQ(Generate(*Open()).status().code(), StatusCode::kPermissionDenied);
}

TEST_F(OpenAiModelTest, RateLimitIsRetriedThenSucceeds) {
  fake_->Control("throttle", 2);
  Result<GeneratedImage> image = Generate(*Open());
  EXPECT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ(fake_->Calls(), 3);
}

TEST_F(OpenAiModelTest, RateLimitEveryTimeIsResourceExhausted) {
  fake_->Control("throttle");
  Result<GeneratedImage> image = Generate(*Open());
  EXPECT_EQ(image.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(fake_->Calls(), 3);
}

TEST_F(OpenAiModelTest, ServerErrorEveryTimeIsUnavailableAfterAllAttempts) {
  fake_->Control("fail500");
  Result<GeneratedImage> image = Generate(*Open());
  EXPECT_EQ(image.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(fake_->Calls(), 3);
}

TEST_F(OpenAiModelTest, ASlowAnswerIsDeadlineExceeded) {
  fake_->Control("timeout", -1, 5000);
  Result<GeneratedImage> image =
      Generate(*Open(testing::kOpenAiKey, std::chrono::milliseconds(300)));
  EXPECT_EQ(image.status().code(), StatusCode::kDeadlineExceeded) << image.status().ToString();
}

TEST_F(OpenAiModelTest, MalformedJsonIsInternal) {
  fake_->Control("malformed_json");
  EXPECT_EQ(Generate(*Open()).status().code(), StatusCode::kInternal);
}

TEST_F(OpenAiModelTest, AnImageThatIsNotAPngIsInternal) {
  fake_->Control("not_png");
  EXPECT_EQ(Generate(*Open()).status().code(), StatusCode::kInternal);
}

TEST_F(OpenAiModelTest, AnImageOfTheWrongSizeIsInternal) {
  fake_->Control("wrong_size");
  Result<GeneratedImage> image = Generate(*Open());
  EXPECT_EQ(image.status().code(), StatusCode::kInternal);
  EXPECT_EQ(fake_->Calls(), 1);
}

TEST_F(OpenAiModelTest, CheckRejectsSidesOutside64To2048BeforeAnyCall) {
  std::unique_ptr<ImageModel> model = Open();
  for (auto [w, h] : {std::pair{63, 512}, std::pair{512, 2049}}) {
    EXPECT_EQ(model->Check(Request(w, h)).reason(), "invalid_size");
    EXPECT_EQ(model->Generate(Request(w, h)).status().code(), StatusCode::kInvalidArgument);
  }
  EXPECT_TRUE(model->Check(Request(64, 2048)).ok());
  EXPECT_EQ(fake_->Calls(), 0);
}

TEST_F(OpenAiModelTest, ABaseUrlThatIsNotHttpIsInvalidArgument) {
  EXPECT_EQ(OpenOpenAiModel("ftp://example.com").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pictor
