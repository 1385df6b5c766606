#include "model/bedrock/bedrock_families.h"

#include <array>
#include <utility>

namespace pictor::model {
namespace {

using nlohmann::json;

struct Size {
  int width;
  int height;
};

std::string SizeText(int width, int height) {
  return std::to_string(width) + "x" + std::to_string(height);
}

std::string ListSizes(std::span<const Size> sizes) {
  std::string out;
  for (const Size& size : sizes) {
    if (!out.empty()) out += ", ";
    out += SizeText(size.width, size.height);
  }
  return out;
}

bool InList(std::span<const Size> sizes, int width, int height) {
  for (const Size& size : sizes) {
    if (size.width == width && size.height == height) return true;
  }
  return false;
}

// ---- Amazon Titan Image Generator (v1, v2) and Nova Canvas: the TEXT_IMAGE task ----

// Titan's documented fixed list of sizes (the Bedrock user guide, Titan Image Generator).
constexpr std::array<Size, 25> kTitanSizes = {{
    {1024, 1024}, {768, 768},  {512, 512},  {768, 1152}, {384, 576},  {1152, 768}, {576, 384},
    {768, 1280},  {384, 640},  {1280, 768}, {640, 384},  {896, 1152}, {448, 576},  {1152, 896},
    {576, 448},   {768, 1408}, {384, 704},  {1408, 768}, {704, 384},  {640, 1408}, {320, 704},
    {1408, 640},  {704, 320},  {1152, 640}, {1173, 640},
}};

ModelLimits ListedSizes(std::span<const Size> sizes) {
  ModelLimits limits;
  for (const Size& size : sizes) limits.sizes.push_back({size.width, size.height});
  return limits;
}

ModelLimits TitanSizeLimits() { return ListedSizes(kTitanSizes); }

Status CheckTitanSize(int width, int height) {
  if (InList(kTitanSizes, width, height)) return Status::Ok();
  return Status::InvalidArgument(
      "Titan image models make only these sizes: " + ListSizes(kTitanSizes) + "; asked for " +
          SizeText(width, height),
      "invalid_size");
}

// Nova Canvas: each side 320-4096 and divisible by 16, at most 4,194,304 pixels, aspect ratio
// between 1:4 and 4:1.
constexpr int kNovaMinSide = 320;
constexpr int kNovaMaxSide = 4096;
constexpr int kNovaSideStep = 16;
constexpr int64_t kNovaMaxPixels = 4194304;
constexpr int kNovaMaxAspectRatio = 4;

ModelLimits NovaSizeLimits() {
  ModelLimits limits;
  limits.min_side = kNovaMinSide;
  limits.max_side = kNovaMaxSide;
  limits.side_step = kNovaSideStep;
  limits.max_pixels = kNovaMaxPixels;
  limits.max_aspect_ratio = kNovaMaxAspectRatio;
  return limits;
}

Status CheckNovaSize(int width, int height) {
  auto side_ok = [](int side) {
    return side >= kNovaMinSide && side <= kNovaMaxSide && side % kNovaSideStep == 0;
  };
  const bool fits = side_ok(width) && side_ok(height) &&
                    static_cast<int64_t>(width) * height <= kNovaMaxPixels &&
                    width <= kNovaMaxAspectRatio * height && height <= kNovaMaxAspectRatio * width;
  if (fits) return Status::Ok();
  return Status::InvalidArgument(
      "Nova Canvas makes widths and heights of " + std::to_string(kNovaMinSide) + " to " +
          std::to_string(kNovaMaxSide) + " pixels, each divisible by " +
          std::to_string(kNovaSideStep) + ", at most " + std::to_string(kNovaMaxPixels) +
          " pixels in all and an aspect ratio between 1:" + std::to_string(kNovaMaxAspectRatio) +
          " and " + std::to_string(kNovaMaxAspectRatio) + ":1; asked for " +
          SizeText(width, height),
      "invalid_size");
}

json BuildTextImage(const GenerationRequest& request, const BedrockExtras& extras,
                    bool with_style) {
  json params = {{"text", request.prompt}};
  if (!request.negative_prompt.empty()) params["negativeText"] = request.negative_prompt;
  if (with_style && !extras.style.empty()) params["style"] = extras.style;
  return {
      {"taskType", "TEXT_IMAGE"},
      {"textToImageParams", std::move(params)},
      {"imageGenerationConfig",
       {{"numberOfImages", 1},
        {"quality", "standard"},
        {"cfgScale", 8.0},
        {"height", request.height},
        {"width", request.width},
        {"seed", request.seed}}},
  };
}

json BuildTitan(const GenerationRequest& request, const BedrockExtras& extras) {
  return BuildTextImage(request, extras, /*with_style=*/false);
}

json BuildNova(const GenerationRequest& request, const BedrockExtras& extras) {
  return BuildTextImage(request, extras, /*with_style=*/true);
}

// {"images": [base64], "error": null | "message"}
Result<std::string> ReadTextImage(const json& answer) {
  if (!answer.is_object()) return Status::Internal("the answer is not a JSON object");
  auto error = answer.find("error");
  if (error != answer.end() && !error->is_null()) {
    const std::string message = error->is_string() ? error->get<std::string>() : error->dump();
    return Status::InvalidArgument("the model refused the request: " + message, "content_filtered");
  }
  auto images = answer.find("images");
  if (images == answer.end() || !images->is_array() || images->empty() ||
      !(*images)[0].is_string()) {
    return Status::Internal("the answer holds no image");
  }
  return (*images)[0].get<std::string>();
}

// ---- Stability AI (SD3.5 Large, Stable Image Core, Stable Image Ultra) ----

// These models take an aspect ratio, not a size, and answer with their own size for it. Pictor
// accepts exactly the sizes they answer with (Stability's 1-megapixel table), so the request
// size picks the ratio and the PNG is checked against it like any other model's.
struct AspectRatio {
  std::string_view ratio;
  Size size;
};
constexpr std::array<AspectRatio, 9> kStabilityRatios = {{
    {"1:1", {1024, 1024}},
    {"16:9", {1344, 768}},
    {"21:9", {1536, 640}},
    {"2:3", {832, 1216}},
    {"3:2", {1216, 832}},
    {"4:5", {896, 1088}},
    {"5:4", {1088, 896}},
    {"9:16", {768, 1344}},
    {"9:21", {640, 1536}},
}};

const AspectRatio* FindStabilityRatio(int width, int height) {
  for (const AspectRatio& entry : kStabilityRatios) {
    if (entry.size.width == width && entry.size.height == height) return &entry;
  }
  return nullptr;
}

ModelLimits StabilitySizeLimits() {
  ModelLimits limits;
  for (const AspectRatio& entry : kStabilityRatios) {
    limits.sizes.push_back({entry.size.width, entry.size.height});
  }
  return limits;
}

Status CheckStabilitySize(int width, int height) {
  if (FindStabilityRatio(width, height) != nullptr) return Status::Ok();
  std::string sizes;
  for (const AspectRatio& entry : kStabilityRatios) {
    if (!sizes.empty()) sizes += ", ";
    sizes += SizeText(entry.size.width, entry.size.height) + " (" + std::string(entry.ratio) + ")";
  }
  return Status::InvalidArgument("Stability image models make only these sizes: " + sizes +
                                     "; asked for " + SizeText(width, height),
                                 "invalid_size");
}

json BuildStability(const GenerationRequest& request, const BedrockExtras& /*extras*/) {
  const AspectRatio* ratio = FindStabilityRatio(request.width, request.height);
  json body = {
      {"prompt", request.prompt},
      {"aspect_ratio", ratio != nullptr ? ratio->ratio : std::string_view("1:1")},
      {"seed", request.seed},
      {"output_format", "png"},
  };
  if (!request.negative_prompt.empty()) body["negative_prompt"] = request.negative_prompt;
  return body;
}

// {"images": [base64], "seeds": [...], "finish_reasons": [null | "Filter reason: ..."]}
Result<std::string> ReadStability(const json& answer) {
  if (!answer.is_object()) return Status::Internal("the answer is not a JSON object");
  auto reasons = answer.find("finish_reasons");
  if (reasons != answer.end() && reasons->is_array()) {
    for (const json& reason : *reasons) {
      if (reason.is_null()) continue;
      const std::string message = reason.is_string() ? reason.get<std::string>() : reason.dump();
      return Status::InvalidArgument("the model refused the request: " + message,
                                     "content_filtered");
    }
  }
  auto images = answer.find("images");
  if (images == answer.end() || !images->is_array() || images->empty() ||
      !(*images)[0].is_string()) {
    return Status::Internal("the answer holds no image");
  }
  return (*images)[0].get<std::string>();
}

// ---- The table ----

constexpr uint32_t kTitanMaxSeed = 2147483646;
constexpr uint32_t kNovaMaxSeed = 858993459;
constexpr uint32_t kStabilityMaxSeed = 4294967294;

constexpr std::array<BedrockFamily, 6> kFamilies = {{
    {"amazon.titan-image-generator-v1", "titan", 512, kTitanMaxSeed, CheckTitanSize,
     TitanSizeLimits, BuildTitan, ReadTextImage},
    {"amazon.titan-image-generator-v2", "titan-v2", 512, kTitanMaxSeed, CheckTitanSize,
     TitanSizeLimits, BuildTitan, ReadTextImage},
    {"amazon.nova-canvas-v1", "nova-canvas", 1024, kNovaMaxSeed, CheckNovaSize, NovaSizeLimits,
     BuildNova, ReadTextImage},
    {"stability.sd3-5-large-v1", "sd35-large", 10000, kStabilityMaxSeed, CheckStabilitySize,
     StabilitySizeLimits, BuildStability, ReadStability},
    {"stability.stable-image-core-v1", "stable-image-core", 10000, kStabilityMaxSeed,
     CheckStabilitySize, StabilitySizeLimits, BuildStability, ReadStability},
    {"stability.stable-image-ultra-v1", "stable-image-ultra", 10000, kStabilityMaxSeed,
     CheckStabilitySize, StabilitySizeLimits, BuildStability, ReadStability},
}};

constexpr std::array<std::string_view, 6> kKnownIds = {
    "amazon.titan-image-generator-v1",  "amazon.titan-image-generator-v2:0",
    "amazon.nova-canvas-v1:0",          "stability.sd3-5-large-v1:0",
    "stability.stable-image-core-v1:1", "stability.stable-image-ultra-v1:1",
};

}  // namespace

const BedrockFamily* FindBedrockFamily(std::string_view model_id) {
  for (const BedrockFamily& family : kFamilies) {
    if (model_id.starts_with(family.id_prefix)) return &family;
  }
  return nullptr;
}

std::span<const BedrockFamily> BedrockFamilies() { return kFamilies; }

std::span<const std::string_view> KnownBedrockModelIds() { return kKnownIds; }

}  // namespace pictor::model
