// The API's JSON answers, and the mapping of a failed Status to one (api.h: HttpStatusFor,
// ErrorResponse).
#include "http/api_responses.h"

#include <spdlog/spdlog.h>

#include <string_view>
#include <utility>

#include "core/ascii.h"
#include "http/api.h"

namespace pictor::http {

HttpResponse JsonResponse(int status, const nlohmann::json& body) {
  HttpResponse r;
  r.status = status;
  r.headers.Set("Content-Type", "application/json");
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

HttpResponse ClientError(int status, std::string message, std::string error) {
  return JsonResponse(status, {{"message", std::move(message)}, {"error", std::move(error)}});
}

bool IsJsonContentType(const HttpRequest& request) {
  auto type = request.headers.Get("Content-Type");
  if (!type) return true;
  std::string_view t = *type;
  t = t.substr(0, t.find(';'));
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  return EqualsIgnoreCase(t, "application/json") ||
         (t.size() > 5 && EqualsIgnoreCase(t.substr(t.size() - 5), "+json"));
}

HttpResponse NotJson() {
  return ClientError(415,
                     "the request body must be JSON, sent with Content-Type: application/json "
                     "(with curl: -H 'Content-Type: application/json')",
                     "unsupported_media_type");
}

int HttpStatusFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kPayloadTooLarge:
      return 413;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kForbidden:
      return 403;
    case StatusCode::kQuotaExceeded:
      return 429;
    case StatusCode::kUnsupported:
      return 501;
    case StatusCode::kPermissionDenied:
    case StatusCode::kUnavailable:
    case StatusCode::kResourceExhausted:
    case StatusCode::kAborted:
    case StatusCode::kCancelled:
      return 503;
    case StatusCode::kDeadlineExceeded:
      return 504;
    case StatusCode::kInternal:
    case StatusCode::kDataLoss:
      return 500;
  }
  return 500;
}

namespace {

// What a 5xx tells the client: enough to decide whether to retry, nothing about the server.
std::string ServerFaultMessage(const Status& status) {
  switch (status.code()) {
    case StatusCode::kResourceExhausted:
      return "the server is busy; retry later";
    case StatusCode::kDeadlineExceeded:
      return "the server timed out; retry later";
    case StatusCode::kCancelled:
      return "the server is shutting down; retry later";
    case StatusCode::kUnsupported:
      return "the server cannot do this";
    case StatusCode::kInternal:
    case StatusCode::kDataLoss:
      return "internal error";
    default:
      return "the server is temporarily unable to answer; retry later";
  }
}

}  // namespace

HttpResponse ErrorResponse(const Status& status) {
  const int code = HttpStatusFor(status);
  if (code < 500) return ClientError(code, status.message(), status.reason());
  if (code == 500) {
    spdlog::error("answering 500: {}", status.ToString());
  } else {
    spdlog::warn("answering {}: {}", code, status.ToString());
  }
  HttpResponse r = ClientError(code, ServerFaultMessage(status), status.reason());
  if (code == 503) r.headers.Set("Retry-After", "1");
  return r;
}

}  // namespace pictor::http
