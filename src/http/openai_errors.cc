#include "http/openai_errors.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <utility>

#include "http/api.h"
#include "http/api_responses.h"

namespace pictor::http {
namespace {

nlohmann::json OrNull(std::string_view text) {
  return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(std::string(text));
}

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

bool IsOpenAiPath(std::string_view path) { return path == "/v1" || path.starts_with("/v1/"); }

std::string_view OpenAiErrorType(int http_status, std::string_view code) {
  if (http_status >= 500) return "server_error";
  if (http_status == 429) {
    return code == "budget_exhausted" ? "insufficient_quota" : "requests";
  }
  return "invalid_request_error";
}

HttpResponse OpenAiError(int http_status, std::string message, std::string_view code,
                         std::string_view param) {
  nlohmann::json error = {{"message", std::move(message)},
                          {"type", std::string(OpenAiErrorType(http_status, code))},
                          {"param", OrNull(param)},
                          {"code", OrNull(code)}};
  return JsonResponse(http_status, {{"error", std::move(error)}});
}

HttpResponse OpenAiErrorResponse(const Status& status, std::string_view param) {
  // ErrorResponse decides the status, the wording a client may see and the logging; only the
  // body's shape differs.
  HttpResponse pictor = ErrorResponse(status);
  auto body = nlohmann::json::parse(pictor.body, nullptr, false);
  std::string message = body.is_object() && body.contains("message") && body["message"].is_string()
                            ? body["message"].get<std::string>()
                            : std::string(ReasonPhrase(pictor.status));
  HttpResponse r = OpenAiError(pictor.status, std::move(message), status.reason(),
                               pictor.status < 500 ? param : std::string_view{});
  for (const auto& [name, value] : pictor.headers.fields()) {
    if (name != "Content-Type") r.headers.Set(name, value);
  }
  if (status.code() == StatusCode::kQuotaExceeded && status.retry_at_ms() > 0) {
    const int64_t wait_ms = status.retry_at_ms() - NowMillis();
    r.headers.Set("Retry-After", std::to_string(std::max<int64_t>(1, (wait_ms + 999) / 1000)));
  }
  return r;
}

}  // namespace pictor::http
