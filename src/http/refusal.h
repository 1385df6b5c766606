// How the API words a refusal in the shape of the route family a path belongs to: Pictor's
// {"message", "error"} JSON, or OpenAI's {"error": {"message", "type", "param", "code"}} for
// paths under /v1/ (the OpenAI Images API), so each family's clients understand their errors.
//
// A refusal for the caller itself also carries the headers its code asks for: 401 a
// WWW-Authenticate challenge (RFC 6750), 429 Retry-After and, for a spent budget, the time it
// resets in the body.
#ifndef PICTOR_HTTP_REFUSAL_H_
#define PICTOR_HTTP_REFUSAL_H_

#include <cstdint>
#include <string_view>

#include "http/http_message.h"
#include "pictor/status.h"

namespace pictor::http {

// The answer to `request` failing with `status` (any failed status; 4xx carry its message, 5xx
// a fixed one, as ErrorResponse does), in the shape of the request's route family: OpenAI's
// for "/v1" and every path under "/v1/". `now_ms`
// turns a QuotaExceeded's retry_at_ms into Retry-After seconds.
HttpResponse RefusalResponse(const HttpRequest& request, const Status& status, int64_t now_ms);

}  // namespace pictor::http

#endif  // PICTOR_HTTP_REFUSAL_H_
