// The Bedrock image model families as data: one table entry per model id prefix, holding the
// family's limits, its request builder and its answer reader. Adding a model is one entry (and,
// for a new body shape, one builder and one reader).
//
// Everything here is constant and stateless: thread-safe.
#ifndef PICTOR_MODEL_BEDROCK_BEDROCK_FAMILIES_H_
#define PICTOR_MODEL_BEDROCK_BEDROCK_FAMILIES_H_

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

#include "pictor/image_model.h"
#include "pictor/request.h"
#include "pictor/status.h"

namespace pictor::model {

// Request settings that are not part of GenerationRequest. A family ignores what it cannot use.
struct BedrockExtras {
  std::string style;  // Nova Canvas "style" ("PHOTOREALISM", ...); "" = none
};

struct BedrockFamily {
  // Matches every model id that starts with it ("amazon.titan-image-generator-v2" matches
  // "amazon.titan-image-generator-v2:0").
  std::string_view id_prefix;
  // Image model Name(): lower-case letters, digits and '-'.
  std::string_view name;
  size_t max_prompt_chars;  // code points, for the prompt and the negative prompt alike
  uint32_t max_seed;        // seeds run from 0 to this
  // OK when the family makes images of exactly width x height; else InvalidArgument with
  // reason "invalid_size" and a message listing what it does make.
  Status (*check_size)(int width, int height);
  // The sizes check_size accepts, as data (the size fields of ModelLimits), from the same
  // constants.
  ModelLimits (*size_limits)();
  // The InvokeModel body for one image. Called only after check_size passed.
  nlohmann::json (*build_request)(const GenerationRequest& request, const BedrockExtras& extras);
  // The base64 PNG in a 2xx answer. A refusal by the model's content filter is InvalidArgument
  // (reason "content_filtered") with the model's message; a malformed answer is Internal.
  Result<std::string> (*read_image)(const nlohmann::json& answer);
};

// The family for `model_id`, or nullptr when no entry's prefix matches.
const BedrockFamily* FindBedrockFamily(std::string_view model_id);

// Every table entry, in table order.
std::span<const BedrockFamily> BedrockFamilies();

// The model ids the table is known to serve, for error messages and docs.
std::span<const std::string_view> KnownBedrockModelIds();

}  // namespace pictor::model

#endif  // PICTOR_MODEL_BEDROCK_BEDROCK_FAMILIES_H_
