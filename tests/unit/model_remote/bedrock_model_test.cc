// The Bedrock adapter against the fake endpoint: request bodies per family, sizes, limits,
// endpoint and region resolution.
#include "model/bedrock/bedrock_model.h"

#include <gtest/gtest.h>

#include "fake_model.h"
#include "image/png_answer.h"
#include "unit/aws_client/scoped_env.h"

namespace pictor {
namespace {

using nlohmann::json;
using testing::FakeModel;

class BedrockModelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { fake_ = FakeModel::Start(); }
  static void TearDownTestSuite() { fake_.reset(); }

  void SetUp() override {
    ASSERT_NE(fake_, nullptr);
    fake_->Control("ok");
    credentials_ = testing::FakeCredentials();
  }

  std::unique_ptr<ImageModel> Open(const std::string& model_id, std::string style = "") {
    BedrockModelOptions options;
    options.endpoint = fake_->base_url();
    options.style = std::move(style);
    options.retry = testing::InstantRetries();
    options.retry_mode = aws::RetryMode::kStandard;  // adaptive mode: adaptive_model_test.cc
    options.http = http_.get();
    options.credentials = credentials_.get();
    Result<std::unique_ptr<ImageModel>> model = OpenBedrockModel(model_id, std::move(options));
    EXPECT_TRUE(model.ok()) << model.status().ToString();
    return model.ok() ? std::move(model).value() : nullptr;
  }

  static GenerationRequest Request(int width, int height, uint32_t seed = 42) {
    return {.prompt = "a lighthouse at dusk",
            .negative_prompt = "",
            .seed = seed,
            .width = width,
            .height = height};
  }

  static inline std::unique_ptr<FakeModel> fake_;
  std::unique_ptr<net::HttpClient> http_ = net::NewHttpClient();
  std::unique_ptr<aws::CredentialsProvider> credentials_;
};

struct FamilyCase {
  std::string model_id;
  std::string name;
  int width;
  int height;
};

class BedrockFamilyTest : public BedrockModelTest,
                          public ::testing::WithParamInterface<FamilyCase> {};

TEST_P(BedrockFamilyTest, GeneratesAPngOfTheRequestedSize) {
  const FamilyCase& c = GetParam();
  std::unique_ptr<ImageModel> model = Open(c.model_id);
  ASSERT_NE(model, nullptr);
  Result<GeneratedImage> image = model->Generate(Request(c.width, c.height));
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  std::optional<image::PngSize> size = image::ReadPngSize(image->png);
  ASSERT_TRUE(size);
  EXPECT_EQ(size->width, c.width);
  EXPECT_EQ(size->height, c.height);
  EXPECT_EQ(image->width, c.width);
  EXPECT_EQ(image->height, c.height);
  EXPECT_EQ(image->model, c.name);
  EXPECT_EQ(image->seed, 42u);
  EXPECT_EQ(fake_->Calls(), 1);
}

TEST_P(BedrockFamilyTest, NameIsTheFamilyShortName) {
  std::unique_ptr<ImageModel> model = Open(GetParam().model_id);
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->Name(), GetParam().name);
}

INSTANTIATE_TEST_SUITE_P(
    Families, BedrockFamilyTest,
    ::testing::Values(
        FamilyCase{"amazon.titan-image-generator-v1", "titan", 512, 512},
        FamilyCase{"amazon.titan-image-generator-v2:0", "titan-v2", 1173, 640},
        FamilyCase{"amazon.nova-canvas-v1:0", "nova-canvas", 1280, 720},
        FamilyCase{"stability.sd3-5-large-v1:0", "sd35-large", 1024, 1024},
        FamilyCase{"stability.stable-image-core-v1:1", "stable-image-core", 1344, 768},
        FamilyCase{"stability.stable-image-ultra-v1:1", "stable-image-ultra", 640, 1536}),
    [](const ::testing::TestParamInfo<FamilyCase>& info) {
      std::string name = info.param.name;
      for (char& ch : name) ch = ch == '-' ? '_' : ch;
      return name;
    });

TEST_F(BedrockModelTest, TitanBodyIsTheTextImageTask) {
  std::unique_ptr<ImageModel> model = Open("amazon.titan-image-generator-v2:0");
  GenerationRequest request = Request(768, 1152, 7);
  request.negative_prompt = "fog";
  ASSERT_TRUE(model->Generate(request).ok());
  EXPECT_EQ(fake_->Last(), json::parse(R"({
      "taskType": "TEXT_IMAGE",
      "textToImageParams": {"text": "a lighthouse at dusk", "negativeText": "fog"},
      "imageGenerationConfig": {"numberOfImages": 1, "quality": "standard", "cfgScale": 8.0,
                                "height": 1152, "width": 768, "seed": 7}})"));
}

TEST_F(BedrockModelTest, NovaBodyCarriesTheStyleOption) {
  std::unique_ptr<ImageModel> model = Open("amazon.nova-canvas-v1:0", "PHOTOREALISM");
  ASSERT_TRUE(model->Generate(Request(1024, 1024)).ok());
  EXPECT_EQ(fake_->Last()["textToImageParams"],
            json::parse(R"({"text": "a lighthouse at dusk", "style": "PHOTOREALISM"})"));
}

TEST_F(BedrockModelTest, StabilityBodyNamesTheAspectRatioOfTheSize) {
  std::unique_ptr<ImageModel> model = Open("stability.sd3-5-large-v1:0");
  GenerationRequest request = Request(832, 1216, 4294967294u);
  request.negative_prompt = "people";
  ASSERT_TRUE(model->Generate(request).ok());
  EXPECT_EQ(fake_->Last(), json::parse(R"({"prompt": "a lighthouse at dusk",
      "negative_prompt": "people", "aspect_ratio": "2:3", "seed": 4294967294,
      "output_format": "png"})"));
}

TEST_F(BedrockModelTest, UnknownModelIdIsInvalidArgumentListingKnownIds) {
  Result<std::unique_ptr<ImageModel>> model = OpenBedrockModel("meta.llama3-8b-instruct-v1:0");
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kInvalidArgument);
  for (std::string_view id : KnownBedrockModels()) {
    EXPECT_NE(model.status().message().find(id), std::string::npos) << id;
  }
}

// Check() and Generate() refuse what the family cannot do before calling anything.
void ExpectRefusedBeforeAnyCall(ImageModel& model, FakeModel& fake,
                                const GenerationRequest& request, const std::string& reason) {
  Status checked = model.Check(request);
  EXPECT_EQ(checked.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(checked.reason(), reason);
  Result<GeneratedImage> image = model.Generate(request);
  EXPECT_EQ(image.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(fake.Calls(), 0);
}

TEST_F(BedrockModelTest, CheckRejectsATitanSizeNotInTheList) {
  std::unique_ptr<ImageModel> model = Open("amazon.titan-image-generator-v1");
  ExpectRefusedBeforeAnyCall(*model, *fake_, Request(1024, 768), "invalid_size");
}

TEST_F(BedrockModelTest, CheckRejectsANovaSizeNotDivisibleBy16) {
  std::unique_ptr<ImageModel> model = Open("amazon.nova-canvas-v1:0");
  ExpectRefusedBeforeAnyCall(*model, *fake_, Request(1000, 1024), "invalid_size");
}

TEST_F(BedrockModelTest, CheckRejectsANovaSizeAboveFourMegapixels) {
  std::unique_ptr<ImageModel> model = Open("amazon.nova-canvas-v1:0");
  ExpectRefusedBeforeAnyCall(*model, *fake_, Request(2048, 2064), "invalid_size");
}

TEST_F(BedrockModelTest, CheckRejectsAStabilitySizeThatIsNotOneOfItsRatios) {
  std::unique_ptr<ImageModel> model = Open("stability.stable-image-core-v1:1");
  ExpectRefusedBeforeAnyCall(*model, *fake_, Request(512, 512), "invalid_size");
}

TEST_F(BedrockModelTest, CheckRejectsA513CharacterTitanPrompt) {
  std::unique_ptr<ImageModel> model = Open("amazon.titan-image-generator-v2:0");
  GenerationRequest request = Request(512, 512);
  request.prompt = std::string(513, 'a');
  ExpectRefusedBeforeAnyCall(*model, *fake_, request, "prompt_too_long");
}

TEST_F(BedrockModelTest, CheckCountsPromptCharactersNotBytes) {
  std::unique_ptr<ImageModel> model = Open("amazon.titan-image-generator-v2:0");
  GenerationRequest request = Request(512, 512);
  request.prompt.clear();
  for (int i = 0; i < 512; ++i) request.prompt += "\xc3\xa9";  // 512 x U+00E9, 1024 bytes
  EXPECT_TRUE(model->Check(request).ok());
}

TEST_F(BedrockModelTest, CheckRejectsANovaSeedAbove858993459) {
  std::unique_ptr<ImageModel> model = Open("amazon.nova-canvas-v1:0");
  EXPECT_TRUE(model->Check(Request(1024, 1024, 858993459)).ok());
  ExpectRefusedBeforeAnyCall(*model, *fake_, Request(1024, 1024, 858993460), "invalid_seed");
}

// Limits() is what GET /models publishes: every size, prompt length and seed it names passes
// Check, and one past each edge is refused.
TEST_F(BedrockModelTest, LimitsSayWhatCheckAccepts) {
  for (const char* id : {"amazon.titan-image-generator-v2:0", "stability.sd3-5-large-v1:0"}) {
    std::unique_ptr<ImageModel> model = Open(id);
    ModelLimits limits = model->Limits();
    ASSERT_FALSE(limits.sizes.empty()) << id;
    for (ImageSize size : limits.sizes) {
      EXPECT_TRUE(model->Check(Request(size.width, size.height)).ok()) << id;
    }
    ImageSize first = limits.sizes.front();
    EXPECT_TRUE(model->Check(Request(first.width, first.height, limits.max_seed)).ok()) << id;
    EXPECT_FALSE(model->Check(Request(first.width + 1, first.height)).ok()) << id;
    GenerationRequest longest = Request(first.width, first.height);
    longest.prompt = std::string(limits.max_prompt_chars, 'a');
    EXPECT_TRUE(model->Check(longest).ok()) << id;
    longest.prompt += 'a';
    EXPECT_FALSE(model->Check(longest).ok()) << id;
  }
  std::unique_ptr<ImageModel> nova = Open("amazon.nova-canvas-v1:0");
  ModelLimits limits = nova->Limits();
  EXPECT_TRUE(limits.sizes.empty());
  EXPECT_EQ(limits.max_seed, 858993459u);
  EXPECT_EQ(limits.max_prompt_chars, 1024u);
  const int min = limits.min_side;
  const int step = limits.side_step;
  EXPECT_TRUE(nova->Check(Request(min, min)).ok());
  EXPECT_FALSE(nova->Check(Request(min - step, min)).ok());
  EXPECT_TRUE(nova->Check(Request(min * limits.max_aspect_ratio, min)).ok());
  EXPECT_FALSE(nova->Check(Request(min * limits.max_aspect_ratio + step, min)).ok());
  EXPECT_TRUE(nova->Check(Request(2048, 2048)).ok());  // 2048 x 2048 = max_pixels
  EXPECT_EQ(int64_t{2048} * 2048, limits.max_pixels);
  EXPECT_FALSE(nova->Check(Request(2048, 2048 + step)).ok());
}

TEST_F(BedrockModelTest, EndpointAndCredentialsComeFromTheEnvironment) {
  aws::testing::ScopedAwsEnv env;
  env.Set("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", fake_->base_url());
  env.Set("AWS_ACCESS_KEY_ID", testing::kAccessKeyId);
  env.Set("AWS_SECRET_ACCESS_KEY", testing::kSecretKey);
  env.Set("AWS_REGION", "eu-west-3");  // Bedrock keeps its own region
  Result<std::unique_ptr<ImageModel>> model = OpenBedrockModel("amazon.titan-image-generator-v1");
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  Result<GeneratedImage> image = (*model)->Generate(Request(512, 512));
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ(fake_->Calls(), 1);
}

TEST_F(BedrockModelTest, PictorBedrockRegionChoosesTheSigningRegion) {
  std::unique_ptr<FakeModel> fake = FakeModel::Start("us-west-2");
  ASSERT_NE(fake, nullptr);
  aws::testing::ScopedAwsEnv env;
  env.Set("AWS_ENDPOINT_URL", fake->base_url());
  env.Set("AWS_ACCESS_KEY_ID", testing::kAccessKeyId);
  env.Set("AWS_SECRET_ACCESS_KEY", testing::kSecretKey);
  {
    Result<std::unique_ptr<ImageModel>> model = OpenBedrockModel("amazon.nova-canvas-v1:0");
    ASSERT_TRUE(model.ok());
    Result<GeneratedImage> image = (*model)->Generate(Request(512, 512));
    EXPECT_EQ(image.status().code(), StatusCode::kInvalidArgument);  // signed for us-east-1
    EXPECT_NE(image.status().message().find("region"), std::string::npos);
  }
  env.Set("PICTOR_BEDROCK_REGION", "us-west-2");
  struct Unset {
    ~Unset() { ::unsetenv("PICTOR_BEDROCK_REGION"); }
  } unset_after;
  Result<std::unique_ptr<ImageModel>> model = OpenBedrockModel("amazon.nova-canvas-v1:0");
  ASSERT_TRUE(model.ok());
  Result<GeneratedImage> image = (*model)->Generate(Request(512, 512));
  EXPECT_TRUE(image.ok()) << image.status().ToString();
}

}  // namespace
}  // namespace pictor
