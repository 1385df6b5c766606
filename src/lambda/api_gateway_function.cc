#include "lambda/api_gateway_function.h"

namespace pictor::lambda {

Result<ApiGatewayAnswer> AnswerApiGatewayEvent(http::Api& api, const nlohmann::json& event,
                                               EventKind kind) {
  auto request = RequestFromApiGateway(event, kind);
  if (!request.ok()) return request.status();
  http::Routed routed = api.Serve(*request);
  ApiGatewayAnswer answer;
  // Counted by the route that answered, not by the path: a refusal (404, 405) generated nothing.
  answer.generation =
      routed.route != nullptr && (routed.route->pattern == http::Api::kGenerateImageRoute ||
                                  routed.route->pattern == http::Api::kOpenAiGenerationsRoute);
  answer.failed = routed.response.status >= 400;
  answer.response = ApiGatewayResponse(routed.response, kind);
  return answer;
}

}  // namespace pictor::lambda
