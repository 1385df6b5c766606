// Errors in the OpenAI API's shape, for every answer under /v1/ (the OpenAI-compatible routes,
// and the refusals of authentication, rate limits and budgets on them):
//
//   {"error": {"message": "...", "type": "invalid_request_error", "param": "size", "code": "..."}}
//
// with the HTTP statuses the OpenAI SDKs map to their exception classes (400 BadRequestError,
// 401 AuthenticationError, 403 PermissionDeniedError, 404 NotFoundError, 429 RateLimitError,
// 5xx InternalServerError). `param` and `code` are null when there is none; `code` is Pictor's
// short reason ("invalid_size", "rate_limited", "budget_exhausted").
#ifndef PICTOR_HTTP_OPENAI_ERRORS_H_
#define PICTOR_HTTP_OPENAI_ERRORS_H_

#include <string>
#include <string_view>

#include "http/http_message.h"
#include "pictor/status.h"

namespace pictor::http {

// True for "/v1" and every path under "/v1/": the routes whose errors take the OpenAI shape.
bool IsOpenAiPath(std::string_view path);

// The OpenAI error `type` for an HTTP status, as OpenAI's own answers spell them:
// "invalid_request_error" for 4xx but 429 (401 and 403 included), "insufficient_quota" for a 429
// whose code is "budget_exhausted" (a spent budget: waiting for the reset, not retrying, helps),
// "requests" for other 429s (a request rate limit), "server_error" for 5xx.
std::string_view OpenAiErrorType(int http_status, std::string_view code);

// An error answer with exactly these parts (`code`/`param` empty: null).
HttpResponse OpenAiError(int http_status, std::string message, std::string_view code,
                         std::string_view param = {});

// A failed Status as an OpenAI error, with the status ErrorResponse (api.h) gives it. As there,
// a 4xx carries the status's message and a 5xx a fixed one (the detail goes to the log), 503
// carries Retry-After, and a QuotaExceeded status carries Retry-After in whole seconds until its
// retry_at_ms (at least 1).
HttpResponse OpenAiErrorResponse(const Status& status, std::string_view param = {});

}  // namespace pictor::http

#endif  // PICTOR_HTTP_OPENAI_ERRORS_H_
