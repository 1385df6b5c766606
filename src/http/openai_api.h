// The OpenAI Images API as Pictor serves it (the routes are Api's, in openai_api.cc):
//
//   POST /v1/images/generations   n (1-10) images made concurrently, each stored under the usual
//                                 key layout; {"created", "data": [{"url"} | {"b64_json"}]}
//   GET  /v1/models               {"object": "list", "data": [model...]} from the ModelCatalog
//   GET  /v1/models/{id}          {"id", "object": "model", "created", "owned_by"}
//
// Errors take OpenAI's shape (openai_errors.h). This header holds the request's parser, a pure
// function, so that every rule about what a client may send is tested without a server.
#ifndef PICTOR_HTTP_OPENAI_API_H_
#define PICTOR_HTTP_OPENAI_API_H_

#include <string>
#include <string_view>

#include "core/validation.h"
#include "pictor/request.h"
#include "pictor/status.h"

namespace pictor::http {

inline constexpr int kMaxImagesPerRequest = 10;  // OpenAI's bound on `n`

enum class ImageResponseFormat { kUrl, kB64Json };

// One POST /v1/images/generations, checked.
struct OpenAiImageRequest {
  std::string model;  // "" = the configured model; resolved by the ModelCatalog
  int n = 1;
  ImageResponseFormat format = ImageResponseFormat::kUrl;
  // prompt (trimmed), negative_prompt, the size (the default when none or "auto") and the seed
  // of the first image when has_seed; image i then takes seed + i, so n images differ.
  GenerationRequest request;
  bool has_seed = false;
  std::string user;  // accepted and unused: images are attributed to the caller's API key
};

// Parses and checks a body against core limits (not yet against the model, which the catalog
// resolves afterwards). Fields:
//   prompt (required), model, n, size ("WxH" or "auto"), response_format ("url" | "b64_json"),
//   user, and Pictor's seed and negative_prompt;
//   OpenAI's fields Pictor cannot honour are accepted where leaving them unhonoured gives the
//   client what it asked for (quality auto|standard, background auto|opaque, moderation,
//   output_format png, output_compression 100, stream false, partial_images 0, style null) and
//   refused otherwise; any other field is refused. null is the same as an absent field.
// InvalidArgument with a message naming the field; `*param` receives the field ("" when the
// body as a whole is wrong).
Result<OpenAiImageRequest> ParseOpenAiImageRequest(std::string_view body,
                                                   const RequestDefaults& default_size,
                                                   const RequestLimits& limits, std::string* param);

// "1024x768" → 1024, 768: one to five ASCII digits, 'x', one to five digits, nothing else.
// False otherwise (ranges are ValidateRequest's).
bool ParseImageSize(std::string_view text, int* width, int* height);

}  // namespace pictor::http

#endif  // PICTOR_HTTP_OPENAI_API_H_
