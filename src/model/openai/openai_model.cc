#include "model/openai/openai_model.h"

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <utility>

#include "image/png_answer.h"

namespace pictor {
namespace {

using nlohmann::json;

std::string FirstSet(const std::string& configured, std::initializer_list<const char*> env_names,
                     std::string_view fallback) {
  if (!configured.empty()) return configured;
  for (const char* name : env_names) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') return value;
  }
  return std::string(fallback);
}

// Removes every occurrence of `secret` from `text`: servers may quote a rejected key back.
std::string Scrub(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
    text.replace(at, secret.size(), "[redacted]");
  }
  return text;
}

// The code and message of an OpenAI error reply, before the peer's answer is attached.
Status Classify(long http, const std::string& code, std::string text) {
  if (http == 401 || http == 403 || code == "insufficient_quota") {
    return Status::PermissionDenied(std::move(text));
  }
  if (http == 429) return Status::ResourceExhausted(std::move(text));
  if (http == 408) return Status::DeadlineExceeded(std::move(text));
  if (http >= 500) return Status::Unavailable(std::move(text));
  if (code == "content_policy_violation") {
    return Status::InvalidArgument(std::move(text), "content_filtered");
  }
  return Status::InvalidArgument(std::move(text));
}

// The one translation of an OpenAI error reply ({"error": {"message", "type", "code"}}) to a
// Status, which carries the HTTP status and `code` as its peer() answer. The key is scrubbed
// from both the message and the code.
Status ReplyToStatus(const net::HttpReply& reply, const std::string& api_key) {
  constexpr size_t kMaxCode = 128;
  std::string message;
  std::string code;
  const json body = json::parse(reply.body, nullptr, false);
  if (body.is_object() && body.contains("error") && body["error"].is_object()) {
    const json& error = body["error"];
    if (error.contains("message") && error["message"].is_string()) {
      message = error["message"].get<std::string>();
    }
    if (error.contains("code") && error["code"].is_string()) code = error["code"];
  }
  code = Scrub(std::move(code), api_key);
  if (code.size() > kMaxCode) code.resize(kMaxCode);
  if (message.empty()) message = "no error message";
  std::string text = "openai (HTTP " + std::to_string(reply.status) + (code.empty() ? "" : ", ") +
                     code + "): " + Scrub(std::move(message), api_key);
  const int http = static_cast<int>(reply.status);
  return Classify(http, code, std::move(text)).WithPeer({.http_status = http, .code = code});
}

class OpenAiModel final : public ImageModel {
 public:
  OpenAiModel(std::string url, OpenAiModelOptions options,
              std::unique_ptr<net::HttpClient> owned_http)
      : url_(std::move(url)),
        model_(FirstSet(options.model, {"PICTOR_OPENAI_MODEL"}, kDefaultOpenAiModel)),
        api_key_(FirstSet(options.api_key, {"PICTOR_OPENAI_API_KEY", "OPENAI_API_KEY"}, "")),
        retry_(std::move(options.retry)),
        prices_(std::move(options.prices)),
        connect_timeout_(options.connect_timeout),
        total_timeout_(options.total_timeout),
        owned_http_(std::move(owned_http)),
        http_(options.http != nullptr ? *options.http : *owned_http_) {}

  std::string Name() const override { return "openai"; }

  double PriceUsd(const GenerationRequest& request) const override {
    return prices_.PriceUsd(Name(), request.width, request.height);
  }

  ModelLimits Limits() const override {
    ModelLimits limits;
    limits.min_side = kOpenAiMinSide;
    limits.max_side = kOpenAiMaxSide;
    return limits;
  }

  Status Check(const GenerationRequest& request) const override {
    auto fits = [](int side) { return side >= kOpenAiMinSide && side <= kOpenAiMaxSide; };
    if (!fits(request.width) || !fits(request.height)) {
      return Status::InvalidArgument(
          "the openai model takes " + std::to_string(kOpenAiMinSide) + " to " +
              std::to_string(kOpenAiMaxSide) + " pixels on each side; asked for " +
              std::to_string(request.width) + "x" + std::to_string(request.height),
          "invalid_size");
    }
    if (request.prompt.empty()) {
      return Status::InvalidArgument("the prompt is empty", "prompt_required");
    }
    return Status::Ok();
  }

  Result<GeneratedImage> Generate(const GenerationRequest& request) override {
    if (Status s = Check(request); !s.ok()) return s;
    net::HttpCall call;
    call.method = "POST";
    call.url = url_;
    call.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
    if (!api_key_.empty()) call.headers.emplace_back("Authorization", "Bearer " + api_key_);
    call.body = json{{"model", model_},
                     {"prompt", request.prompt},
                     {"n", 1},
                     {"size", std::to_string(request.width) + "x" + std::to_string(request.height)},
                     {"response_format", "b64_json"}}
                    .dump();
    call.connect_timeout = connect_timeout_;
    call.total_timeout = total_timeout_;

    Result<net::HttpReply> reply = net::PerformWithRetries(
        http_, [&call]() { return call; }, retry_);
    if (!reply.ok()) return Status(reply.status()).WithContext("openai");
    if (reply->status < 200 || reply->status >= 300) return ReplyToStatus(*reply, api_key_);

    const json answer = json::parse(reply->body, nullptr, false);
    if (answer.is_discarded()) return Status::Internal("openai answered with malformed JSON");
    const json* data = answer.is_object() && answer.contains("data") ? &answer["data"] : nullptr;
    if (data == nullptr || !data->is_array() || data->empty() || !(*data)[0].is_object() ||
        !(*data)[0].contains("b64_json") || !(*data)[0]["b64_json"].is_string()) {
      return Status::Internal("openai answered without a b64_json image");
    }
    Result<std::string> png = image::DecodePngAnswer((*data)[0]["b64_json"].get<std::string>(),
                                                     request.width, request.height, "openai");
    if (!png.ok()) return png.status();
    return GeneratedImage{std::move(png).value(), Name(), request.seed, request.width,
                          request.height};
  }

 private:
  const std::string url_;
  const std::string model_;
  const std::string api_key_;
  const net::RetryPolicy retry_;
  const PriceTable prices_;
  const std::chrono::milliseconds connect_timeout_;
  const std::chrono::milliseconds total_timeout_;
  const std::unique_ptr<net::HttpClient> owned_http_;  // before http_, which may borrow it
  net::HttpClient& http_;
};

}  // namespace

Result<std::unique_ptr<ImageModel>> OpenOpenAiModel(std::string_view base_url,
                                                    OpenAiModelOptions options) {
  if (!base_url.starts_with("http://") && !base_url.starts_with("https://")) {
    return Status::InvalidArgument(
        "the openai model needs an http:// or https:// base URL, not \"" + std::string(base_url) +
            "\"",
        "invalid_spec");
  }
  std::string url(base_url);
  while (url.ends_with('/')) url.pop_back();
  if (!url.ends_with("/v1")) url.append("/v1");
  url.append("/images/generations");
  Result<aws::RetryMode> mode = options.retry_mode
                                    ? Result<aws::RetryMode>(*options.retry_mode)
                                    : aws::RetryModeFromEnv(aws::RetryMode::kAdaptive);
  if (!mode.ok()) return mode.status();
  if (*mode == aws::RetryMode::kAdaptive && options.retry.limiter == nullptr) {
    // Rate limits are per organisation and model: one limiter per URL and model.
    options.retry.limiter = net::SharedRateLimiter(
        "openai " + url + " " +
        FirstSet(options.model, {"PICTOR_OPENAI_MODEL"}, kDefaultOpenAiModel));
  }
  std::unique_ptr<net::HttpClient> owned_http;
  if (options.http == nullptr) owned_http = net::NewHttpClient();
  return std::unique_ptr<ImageModel>(
      std::make_unique<OpenAiModel>(std::move(url), std::move(options), std::move(owned_http)));
}

}  // namespace pictor
