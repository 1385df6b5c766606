// The Lambda API function: one API Gateway proxy event (v1 or v2) answered by the very Api that
// `pictor serve` runs, through its route table, so the function has no list of paths of its
// own: routes, 404 and 405 with Allow are the table's.
#ifndef PICTOR_LAMBDA_API_GATEWAY_FUNCTION_H_
#define PICTOR_LAMBDA_API_GATEWAY_FUNCTION_H_

#include <nlohmann/json.hpp>

#include "http/api.h"
#include "lambda/api_gateway.h"
#include "pictor/status.h"

namespace pictor::lambda {

struct ApiGatewayAnswer {
  nlohmann::json response;  // the proxy integration answer (ApiGatewayResponse)
  // The Api's generation route answered (a synchronous image generation), and whether it
  // answered with an error: the invocation's EMF counts it as a job and a failure.
  bool generation = false;
  bool failed = false;
};

// Turns `event` (of `kind`, an API Gateway kind) into a request, serves it through `api` and
// turns the answer back. InvalidArgument for a malformed event (RequestFromApiGateway).
Result<ApiGatewayAnswer> AnswerApiGatewayEvent(http::Api& api, const nlohmann::json& event,
                                               EventKind kind);

}  // namespace pictor::lambda

#endif  // PICTOR_LAMBDA_API_GATEWAY_FUNCTION_H_
