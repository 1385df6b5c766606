// An OpenAI-compatible image model (spec "openai:<base-url>"): POST <base>/v1/images/generations
// with {"model", "prompt", "n": 1, "size": "WxH", "response_format": "b64_json"}, answered with
// {"data": [{"b64_json": ...}]}. Works with api.openai.com and with self-hosted servers that
// speak the same API (LocalAI and the like).
#ifndef PICTOR_MODEL_OPENAI_OPENAI_MODEL_H_
#define PICTOR_MODEL_OPENAI_OPENAI_MODEL_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "aws/retry_mode.h"
#include "core/prices.h"
#include "net/http_client.h"
#include "net/retry.h"
#include "pictor/image_model.h"
#include "pictor/status.h"

namespace pictor {

inline constexpr int kOpenAiMinSide = 64;
inline constexpr int kOpenAiMaxSide = 2048;

// "dall-e-3": the OpenAI model that takes response_format=b64_json (gpt-image-1 rejects the
// parameter, always answering in base64).
inline constexpr std::string_view kDefaultOpenAiModel = "dall-e-3";

struct OpenAiModelOptions {
  // "" = PICTOR_OPENAI_MODEL, else kDefaultOpenAiModel.
  std::string model{};
  // "" = PICTOR_OPENAI_API_KEY, else OPENAI_API_KEY; still "" means no Authorization header
  // (self-hosted servers often need none). Never logged, never in a Status.
  std::string api_key{};
  net::RetryPolicy retry{};
  // What PriceUsd() reads, under "openai": 0 unless the configuration prices it (a self-hosted
  // server is free; api.openai.com is not, and its price depends on the model asked for).
  PriceTable prices = PriceTable::Defaults();
  // Unset = AWS_RETRY_MODE, else adaptive: every model in the process that calls this URL and
  // model shares one rate limiter (net/adaptive_rate.h), unless retry.limiter is already set.
  std::optional<aws::RetryMode> retry_mode{};
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds total_timeout{120000};
  // Borrowed, and must outlive the model, when set; null = the model owns an HTTP client.
  net::HttpClient* http = nullptr;
};

// Opens the model at `base_url` ("https://api.openai.com", "http://127.0.0.1:8080"; a trailing
// "/" or "/v1" is tolerated). InvalidArgument when the URL is not http(s) or AWS_RETRY_MODE is
// not a known mode. Calls nothing.
//
// The model is thread-safe. Name() is "openai". Check() accepts 64..2048 pixels per side (servers
// vary; the answer's PNG must then match the asked size exactly, else Internal). Generate()
// errors: 400 (content policy included) and other 4xx are InvalidArgument with the server's
// message; 401/403 and an exhausted quota are PermissionDenied; 429 is ResourceExhausted and 5xx
// Unavailable after the retry policy's attempts; a timeout is DeadlineExceeded; an answer that
// is not JSON or holds no base64 PNG of the asked size is Internal.
Result<std::unique_ptr<ImageModel>> OpenOpenAiModel(std::string_view base_url,
                                                    OpenAiModelOptions options = {});

}  // namespace pictor

#endif  // PICTOR_MODEL_OPENAI_OPENAI_MODEL_H_
