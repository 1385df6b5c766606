// The Amazon Bedrock image models (spec "bedrock:<model-id>"), called with InvokeModel:
// POST /model/<url-encoded model id>/invoke on bedrock-runtime.<region>.amazonaws.com, SigV4
// signed for the service "bedrock". Which body to send and how to read the answer comes from the
// family table in bedrock_families.h (Titan v1/v2, Nova Canvas, Stability SD3.5 Large, Stable
// Image Core and Ultra).
#ifndef PICTOR_MODEL_BEDROCK_BEDROCK_MODEL_H_
#define PICTOR_MODEL_BEDROCK_BEDROCK_MODEL_H_

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "aws/credentials.h"
#include "aws/retry_mode.h"
#include "core/prices.h"
#include "net/http_client.h"
#include "net/retry.h"
#include "pictor/image_model.h"
#include "pictor/status.h"

namespace pictor {

struct BedrockModelOptions {
  // "" = PICTOR_BEDROCK_REGION, else "us-east-1" (where the image models first ran). Bedrock has
  // its own region setting because its models are offered in fewer regions than S3 and SQS.
  std::string region{};
  // "" = AWS_ENDPOINT_URL_BEDROCK_RUNTIME, else AWS_ENDPOINT_URL, else
  // https://bedrock-runtime.<region>.amazonaws.com (aws/endpoint.h).
  std::string endpoint{};
  // Nova Canvas only: its optional "style" ("PHOTOREALISM", ...); "" sends none.
  std::string style{};
  net::RetryPolicy retry{};
  // What PriceUsd() reads, under the family's short name ("titan", "nova-canvas").
  PriceTable prices = PriceTable::Defaults();
  // Unset = AWS_RETRY_MODE, else adaptive: every model in the process that calls this endpoint
  // and model id then shares one rate limiter (net/adaptive_rate.h), unless retry.limiter is
  // already set. Standard mode retries each call on its own.
  std::optional<aws::RetryMode> retry_mode{};
  std::chrono::milliseconds connect_timeout{3000};
  // Image models take a while: Titan and Nova answer in 5-20 s, Stability Ultra up to ~60 s.
  std::chrono::milliseconds total_timeout{90000};
  // Borrowed, and must outlive the model when set; null = the model owns an HTTP client and a
  // credentials provider over the default chain.
  net::HttpClient* http = nullptr;
  aws::CredentialsProvider* credentials = nullptr;
};

// Opens the Bedrock model `model_id` ("amazon.titan-image-generator-v2:0"). Fails with
// InvalidArgument naming the known ids when no family serves it, or naming the accepted values
// when AWS_RETRY_MODE is not one of them. Nothing remote is called here:
// credentials are fetched on the first Generate.
//
// The model is thread-safe. Name() is the family's short name ("titan", "titan-v2",
// "nova-canvas", "sd35-large", "stable-image-core", "stable-image-ultra"). Check() enforces the
// family's sizes, prompt length and seed range. Generate() errors: the model refusing the
// prompt (ValidationException, content filter) is InvalidArgument with the model's message;
// throttling is ResourceExhausted, 5xx / ServiceUnavailable / ModelNotReady are Unavailable, a
// timeout (ours or ModelTimeoutException) is DeadlineExceeded, all after the retry policy's
// attempts (in adaptive mode a call whose token is not due within retry.max_rate_wait is
// ResourceExhausted without an attempt); AccessDenied is PermissionDenied; an answer that is not
// JSON, holds no image, or whose image is not base64 of a complete PNG of the requested size is
// Internal.
Result<std::unique_ptr<ImageModel>> OpenBedrockModel(std::string_view model_id,
                                                     BedrockModelOptions options = {});

// The model ids OpenBedrockModel is known to serve (other ids with a known prefix work too).
std::span<const std::string_view> KnownBedrockModels();

}  // namespace pictor

#endif  // PICTOR_MODEL_BEDROCK_BEDROCK_MODEL_H_
