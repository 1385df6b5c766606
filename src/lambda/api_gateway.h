// API Gateway proxy events (REST API "v1" and HTTP API payload "2.0") to and from the
// transport-free HttpRequest / HttpResponse, so Lambda answers through the same Api as serve.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
#ifndef PICTOR_LAMBDA_API_GATEWAY_H_
#define PICTOR_LAMBDA_API_GATEWAY_H_

#include <nlohmann/json.hpp>

#include "http/http_message.h"
#include "pictor/status.h"

namespace pictor::lambda {

enum class EventKind { kApiGatewayV1, kApiGatewayV2, kSqs, kUnknown };

// The event's shape: v1 has "httpMethod" and "requestContext"; v2 has "version": "2.0" with
// "routeKey" or "rawPath"; SQS has "Records" whose first eventSource is "aws:sqs".
EventKind ClassifyEvent(const nlohmann::json& event);

// The request an API Gateway event carries: method, path (the stage prefix removed, decoded),
// query, headers (multi-value ones repeated, v2 cookies as one Cookie header) and body
// (base64-decoded when isBase64Encoded). InvalidArgument for a malformed event.
Result<http::HttpRequest> RequestFromApiGateway(const nlohmann::json& event, EventKind kind);

// The proxy integration answer: statusCode, headers, body. Bodies that are not text (a PNG) are
// base64 with "isBase64Encoded": true, as API Gateway requires.
nlohmann::json ApiGatewayResponse(const http::HttpResponse& response, EventKind kind);

}  // namespace pictor::lambda

#endif  // PICTOR_LAMBDA_API_GATEWAY_H_
