#include "http/refusal.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>

#include "core/ids.h"
#include "http/api.h"
#include "http/api_responses.h"

namespace pictor::http {
namespace {

// OpenAI's error "type" for a status; its SDKs pick their exception class from the HTTP status
// and show type and code.
std::string_view OpenAiType(int http_status, const Status& status) {
  switch (http_status) {
    case 401:
      return "invalid_request_error";
    case 403:
      return "permission_error";
    case 429:
      return status.reason() == "budget_exhausted" ? "insufficient_quota" : "requests";
    default:
      return http_status >= 500 ? "server_error" : "invalid_request_error";
  }
}

// The same answer as ErrorResponse, re-shaped as OpenAI's error object.
HttpResponse OpenAiShape(const Status& status, HttpResponse pictor_shaped) {
  const int code = pictor_shaped.status;
  auto parsed = nlohmann::json::parse(pictor_shaped.body, nullptr, false);
  std::string message =
      parsed.is_object() && parsed.contains("message") && parsed["message"].is_string()
          ? parsed["message"].get<std::string>()
          : status.message();
  nlohmann::json error = {{"message", message},
                          {"type", OpenAiType(code, status)},
                          {"param", nullptr},
                          {"code", status.reason()}};
  HttpResponse r = JsonResponse(code, {{"error", error}});
  for (const auto& [name, value] : pictor_shaped.headers.fields()) {
    if (name != "Content-Type") r.headers.Set(name, value);
  }
  return r;
}

bool UnderV1(std::string_view path) { return path.rfind("/v1/", 0) == 0 || path == "/v1"; }

}  // namespace

HttpResponse RefusalResponse(const HttpRequest& request, const Status& status, int64_t now_ms) {
  HttpResponse r = ErrorResponse(status);
  if (status.code() == StatusCode::kUnauthenticated) {
    // RFC 6750 3: a request that presented a key hears why it failed; one without, only how to
    // authenticate.
    const bool presented = request.headers.Get("Authorization").has_value();
    r.headers.Set("WWW-Authenticate", presented ? "Bearer realm=\"pictor\", error=\"invalid_token\""
                                                : "Bearer realm=\"pictor\"");
  }
  if (status.code() == StatusCode::kQuotaExceeded && status.retry_at_ms() > 0) {
    const int64_t wait_ms = std::max<int64_t>(0, status.retry_at_ms() - now_ms);
    r.headers.Set("Retry-After", std::to_string(std::max<int64_t>(1, (wait_ms + 999) / 1000)));
    if (status.reason() == "budget_exhausted") {
      auto body = nlohmann::json::parse(r.body, nullptr, false);
      if (body.is_object()) {
        body["resets_at"] = FormatIso8601(status.retry_at_ms());
        Headers headers = r.headers;
        r = JsonResponse(r.status, body);
        r.headers = headers;
      }
    }
  }
  if (UnderV1(request.path)) return OpenAiShape(status, std::move(r));
  return r;
}

}  // namespace pictor::http
