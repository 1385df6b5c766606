#include "http/refusal.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>

#include "core/ids.h"
#include "http/api.h"
#include "http/api_responses.h"
#include "http/openai_errors.h"

namespace pictor::http {

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
  if (!IsOpenAiPath(request.path)) return r;
  // The same answer in OpenAI's shape, keeping the headers worded above (WWW-Authenticate,
  // Retry-After, RateLimit-*).
  HttpResponse shaped = OpenAiErrorResponse(status);
  for (const auto& [name, value] : r.headers.fields()) {
    if (name != "Content-Type") shaped.headers.Set(name, value);
  }
  return shaped;
}

}  // namespace pictor::http
