#include "model/bedrock/bedrock_model.h"

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <utility>

#include "aws/aws_client.h"
#include "aws/endpoint.h"
#include "core/percent_encoding.h"
#include "core/utf8.h"
#include "image/png_answer.h"
#include "model/bedrock/bedrock_families.h"

namespace pictor {
namespace {

using model::BedrockFamily;

constexpr std::string_view kDefaultRegion = "us-east-1";

std::string BedrockRegion(const std::string& configured) {
  if (!configured.empty()) return configured;
  const char* env = std::getenv("PICTOR_BEDROCK_REGION");
  if (env != nullptr && *env != '\0') return env;
  return std::string(kDefaultRegion);
}

class BedrockModel final : public ImageModel {
 public:
  BedrockModel(const BedrockFamily& family, std::string model_id, BedrockModelOptions options,
               std::unique_ptr<net::HttpClient> owned_http,
               std::unique_ptr<aws::CredentialsProvider> owned_credentials)
      : family_(family),
        model_id_(std::move(model_id)),
        extras_{.style = options.style},
        prices_(options.prices),
        owned_http_(std::move(owned_http)),
        owned_credentials_(std::move(owned_credentials)),
        client_(ClientOptions(options), options.http ? *options.http : *owned_http_,
                options.credentials ? *options.credentials : *owned_credentials_) {}

  std::string Name() const override { return std::string(family_.name); }

  // Pictor asks every family for its standard quality, so the size alone sets the price.
  double PriceUsd(const GenerationRequest& request) const override {
    return prices_.PriceUsd(family_.name, request.width, request.height);
  }

  ModelLimits Limits() const override {
    ModelLimits limits = family_.size_limits();
    limits.max_prompt_chars = family_.max_prompt_chars;
    limits.max_seed = family_.max_seed;
    return limits;
  }

  Status Check(const GenerationRequest& request) const override {
    if (Status s = family_.check_size(request.width, request.height); !s.ok()) return s;
    if (request.prompt.empty()) {
      return Status::InvalidArgument("the prompt is empty", "prompt_required");
    }
    for (const std::string* text : {&request.prompt, &request.negative_prompt}) {
      if (CountCodePoints(*text) > family_.max_prompt_chars) {
        return Status::InvalidArgument(
            std::string(text == &request.prompt ? "prompt" : "negative_prompt") +
                " is longer than " + std::to_string(family_.max_prompt_chars) +
                " characters, the limit of " + model_id_,
            "prompt_too_long");
      }
    }
    if (request.seed > family_.max_seed) {
      return Status::InvalidArgument(model_id_ + " takes seeds from 0 to " +
                                         std::to_string(family_.max_seed) + "; asked for " +
                                         std::to_string(request.seed),
                                     "invalid_seed");
    }
    return Status::Ok();
  }

  Result<GeneratedImage> Generate(const GenerationRequest& request) override {
    if (Status s = Check(request); !s.ok()) return s;
    aws::AwsRequest call;
    call.method = "POST";
    call.path = "/model/" + PercentEncode(model_id_) + "/invoke";
    call.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
    call.body = family_.build_request(request, extras_).dump();
    call.sign_content_sha256 = true;
    Result<net::HttpReply> reply = client_.Send(call);
    if (!reply.ok()) return reply.status().WithContext(model_id_);

    const std::string who = "bedrock model " + model_id_;
    const nlohmann::json answer = nlohmann::json::parse(reply->body, nullptr, false);
    if (answer.is_discarded()) return Status::Internal(who + " answered with malformed JSON");
    Result<std::string> base64 = family_.read_image(answer);
    if (!base64.ok()) return base64.status().WithContext(who);
    Result<std::string> png = image::DecodePngAnswer(*base64, request.width, request.height, who);
    if (!png.ok()) return png.status();
    return GeneratedImage{std::move(png).value(), Name(), request.seed, request.width,
                          request.height};
  }

 private:
  static aws::AwsClientOptions ClientOptions(const BedrockModelOptions& options) {
    aws::AwsClientOptions out;
    out.service = "bedrock";
    out.region = options.region;
    out.endpoint = options.endpoint;
    out.retry = options.retry;
    out.connect_timeout = options.connect_timeout;
    out.total_timeout = options.total_timeout;
    return out;
  }

  const BedrockFamily& family_;
  const std::string model_id_;
  const model::BedrockExtras extras_;
  const PriceTable prices_;
  // Set only when the options did not lend one; declared before client_, which borrows them.
  const std::unique_ptr<net::HttpClient> owned_http_;
  const std::unique_ptr<aws::CredentialsProvider> owned_credentials_;
  aws::AwsClient client_;
};

}  // namespace

Result<std::unique_ptr<ImageModel>> OpenBedrockModel(std::string_view model_id,
                                                     BedrockModelOptions options) {
  const BedrockFamily* family = model::FindBedrockFamily(model_id);
  if (family == nullptr) {
    std::string known;
    for (std::string_view id : model::KnownBedrockModelIds()) {
      if (!known.empty()) known += ", ";
      known += id;
    }
    return Status::InvalidArgument(
        "unknown Bedrock image model \"" + std::string(model_id) + "\"; known models: " + known,
        "unknown_model");
  }
  options.region = BedrockRegion(options.region);
  if (options.endpoint.empty()) {
    options.endpoint = aws::ResolveEndpoint(
        "BEDROCK_RUNTIME", "bedrock-runtime.{region}.amazonaws.com", options.region);
  }
  Result<aws::RetryMode> mode = options.retry_mode
                                    ? Result<aws::RetryMode>(*options.retry_mode)
                                    : aws::RetryModeFromEnv(aws::RetryMode::kAdaptive);
  if (!mode.ok()) return mode.status();
  if (*mode == aws::RetryMode::kAdaptive && options.retry.limiter == nullptr) {
    // Bedrock's quotas are per account, region and model: one limiter for each.
    options.retry.limiter =
        net::SharedRateLimiter("bedrock " + options.endpoint + " " + std::string(model_id));
  }
  std::unique_ptr<net::HttpClient> owned_http;
  if (options.http == nullptr) owned_http = net::NewHttpClient();
  std::unique_ptr<aws::CredentialsProvider> owned_credentials;
  if (options.credentials == nullptr) {
    owned_credentials = aws::CredentialsProvider::FromChain(
        {}, options.http != nullptr ? *options.http : *owned_http);
  }
  return std::unique_ptr<ImageModel>(
      std::make_unique<BedrockModel>(*family, std::string(model_id), std::move(options),
                                     std::move(owned_http), std::move(owned_credentials)));
}

std::span<const std::string_view> KnownBedrockModels() { return model::KnownBedrockModelIds(); }

}  // namespace pictor
