// Private to the API (api*.cc): the JSON answers its routes build, and the request checks they
// share. HttpStatusFor and ErrorResponse, which others use too, are declared in api.h.
#ifndef PICTOR_HTTP_API_RESPONSES_H_
#define PICTOR_HTTP_API_RESPONSES_H_

#include <nlohmann/json.hpp>

#include <string>

#include "http/http_message.h"
#include "pictor/job_ledger.h"

namespace pictor::http {

// The body is dumped with invalid UTF-8 replaced, so a client's bytes echoed in a message can
// never make the answer fail.
HttpResponse JsonResponse(int status, const nlohmann::json& body);

// {"message": ..., "error": ...} with `status`.
HttpResponse ClientError(int status, std::string message, std::string error);

// A job as GET /jobs/{id} and each entry of GET /jobs show it; `url` (the image's) is shown only
// for a job that succeeded. Defined in api_jobs.cc.
nlohmann::json JobJson(const JobRecord& job, const std::string& url);

// 503 for the job routes of a server without a job ledger.
HttpResponse NoLedgerResponse();

// Anything but a JSON body is refused; a missing Content-Type is taken as JSON.
bool IsJsonContentType(const HttpRequest& request);

// 415 for a body that IsJsonContentType refuses.
HttpResponse NotJson();

}  // namespace pictor::http

#endif  // PICTOR_HTTP_API_RESPONSES_H_
