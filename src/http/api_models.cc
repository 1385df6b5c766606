// GET /models: what the configured model accepts, for the page's form and for any client that
// builds a request. Every number comes from the objects that enforce it, the server's
// RequestLimits and the model's ModelLimits, and every size listed passed the same checks a
// POST /jobs runs (ValidateRequest, then the model's Check): nothing here is a second copy of a
// limit.
#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/validation.h"
#include "http/api.h"
#include "http/api_responses.h"

namespace pictor::http {
namespace {

using Json = nlohmann::json;

// Sizes offered when the model takes a range rather than a list: common squares and the usual
// photo and screen ratios. Only those the model and the server accept are listed.
constexpr std::array<ImageSize, 19> kSuggestedSizes = {{
    {256, 256},  {512, 512},  {768, 768},   {1024, 1024}, {1536, 1536}, {2048, 2048}, {768, 512},
    {512, 768},  {1024, 768}, {768, 1024},  {1152, 896},  {896, 1152},  {1280, 720},  {720, 1280},
    {1344, 768}, {768, 1344}, {1536, 1024}, {1024, 1536}, {1920, 1088},
}};

// A prompt every check accepts, to ask the checks about a size alone.
GenerationRequest SizeProbe(ImageSize size) {
  GenerationRequest probe;
  probe.prompt.push_back('a');  // not `= "a"`: GCC 12 warns falsely (-Wrestrict)
  probe.width = size.width;
  probe.height = size.height;
  return probe;
}

Json SizeJson(ImageSize size) { return {{"width", size.width}, {"height", size.height}}; }

}  // namespace

HttpResponse Api::Models() {
  const ImageModel& model = pipeline_.model;
  const RequestLimits& limits = pipeline_.limits;
  const ModelLimits own = model.Limits();

  auto accepted = [&](ImageSize size) {
    GenerationRequest probe = SizeProbe(size);
    return ValidateRequest(probe, limits).ok() && model.Check(probe).ok();
  };
  std::vector<ImageSize> candidates = own.sizes;
  if (candidates.empty()) candidates.assign(kSuggestedSizes.begin(), kSuggestedSizes.end());
  const ImageSize default_size{pipeline_.job_size.width, pipeline_.job_size.height};
  if (std::find(candidates.begin(), candidates.end(), default_size) == candidates.end()) {
    candidates.insert(candidates.begin(), default_size);
  }
  Json sizes = Json::array();
  for (ImageSize size : candidates) {
    if (!accepted(size)) continue;
    Json entry = SizeJson(size);
    entry["price_usd"] = PriceOf(SizeProbe(size));
    sizes.push_back(std::move(entry));
  }

  size_t max_prompt = limits.max_prompt_chars;
  if (own.max_prompt_chars > 0) max_prompt = std::min(max_prompt, own.max_prompt_chars);

  Json body = {
      {"id", models_->Ids().front()},
      {"name", model.Name()},
      {"prompt", {{"max_chars", max_prompt}}},
      {"negative_prompt", {{"max_chars", max_prompt}}},
      {"seed", {{"min", 0}, {"max", std::min(kMaxSeed, own.max_seed)}}},
      {"default_size", SizeJson(default_size)},
      {"default_size_accepted", accepted(default_size)},
      {"sizes", std::move(sizes)},
      {"price_usd", PriceOf(SizeProbe(default_size))},
  };
  if (own.sizes.empty()) {
    // Each side in [min_side, max_side] and a multiple of side_step; null: no such limit.
    const int min_side = std::max(own.min_side, limits.min_side);
    const int max_side =
        own.max_side > 0 ? std::min(own.max_side, limits.max_side) : limits.max_side;
    body["size_range"] = {
        {"min_side", min_side},
        {"max_side", max_side},
        {"side_step", std::max(own.side_step, 1)},
        {"max_pixels", own.max_pixels > 0 ? Json(own.max_pixels) : Json(nullptr)},
        {"max_aspect_ratio", own.max_aspect_ratio > 0 ? Json(own.max_aspect_ratio) : Json(nullptr)},
    };
  } else {
    body["size_range"] = nullptr;
  }
  return JsonResponse(200, body);
}

}  // namespace pictor::http
