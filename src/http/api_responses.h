// Private to the API (api*.cc): the JSON answers its routes build, and the request checks they
// share. HttpStatusFor and ErrorResponse, which others use too, are declared in api.h.
#ifndef PICTOR_HTTP_API_RESPONSES_H_
#define PICTOR_HTTP_API_RESPONSES_H_

#include <nlohmann/json.hpp>

#include <string>

#include "http/http_message.h"

namespace pictor::http {

// The body is dumped with invalid UTF-8 replaced, so a client's bytes echoed in a message can
// never make the answer fail.
HttpResponse JsonResponse(int status, const nlohmann::json& body);

// {"message": ..., "error": ...} with `status`.
HttpResponse ClientError(int status, std::string message, std::string error);

// Anything but a JSON body is refused; a missing Content-Type is taken as JSON.
bool IsJsonContentType(const HttpRequest& request);

// 415 for a body that IsJsonContentType refuses.
HttpResponse NotJson();

}  // namespace pictor::http

#endif  // PICTOR_HTTP_API_RESPONSES_H_
