// The events the Lambda runtime hands to `pictor lambda`: API Gateway REST (v1) and HTTP API
// (v2) proxy events and SQS batches (src/lambda). The input is the event's JSON text.
// Invariants: a request taken from an event has a method and an absolute path; an SQS record
// taken has a message id and a receive count of at least 1; the proxy answer for a response always
// carries its status code, and a base64 body decodes back to the bytes sent; base64 round-trips any
// bytes.
#include <nlohmann/json.hpp>

#include "core/base64.h"
#include "fuzz_check.h"
#include "lambda/api_gateway.h"
#include "lambda/sqs_batch.h"

namespace lambda = pictor::lambda;
using nlohmann::json;

namespace {

void CheckResponse(const pictor::http::HttpRequest& request, lambda::EventKind kind) {
  pictor::http::HttpResponse response;
  response.status = 200;
  response.headers.Add("Content-Type",
                       std::string(request.headers.Get("Content-Type").value_or("image/png")));
  response.body = request.body;
  json answer = lambda::ApiGatewayResponse(response, kind);
  FUZZ_CHECK(answer.is_object() && answer["statusCode"] == 200);
  FUZZ_CHECK(answer.contains("body") && answer["body"].is_string());
  const std::string& body = answer["body"].get_ref<const std::string&>();
  if (answer.value("isBase64Encoded", false)) {
    std::optional<std::string> decoded =
        pictor::Base64Decode(body, pictor::Base64Padding::kLenient);
    FUZZ_CHECK(decoded && *decoded == request.body);
  } else {
    FUZZ_CHECK(body == request.body);
  }
  // The answer must serialise: Lambda sends it as JSON text.
  (void)answer.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = pictor::fuzz::AsText(data, size);
  std::optional<std::string> decoded = pictor::Base64Decode(text, pictor::Base64Padding::kLenient);
  if (decoded) {
    std::optional<std::string> again = pictor::Base64Decode(pictor::Base64Encode(*decoded));
    FUZZ_CHECK(again && *again == *decoded);
  }
  FUZZ_CHECK(pictor::Base64Decode(pictor::Base64Encode(text)) == std::string(text));

  const json event = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (event.is_discarded()) return 0;
  const lambda::EventKind kind = lambda::ClassifyEvent(event);
  if (kind == lambda::EventKind::kApiGatewayV1 || kind == lambda::EventKind::kApiGatewayV2) {
    pictor::Result<pictor::http::HttpRequest> request = lambda::RequestFromApiGateway(event, kind);
    if (!request.ok()) {
      FUZZ_CHECK(request.status().code() == pictor::StatusCode::kInvalidArgument);
      return 0;
    }
    FUZZ_CHECK(!request->method.empty());
    FUZZ_CHECK(!request->path.empty() && request->path.front() == '/');
    CheckResponse(*request, kind);
  } else if (kind == lambda::EventKind::kSqs) {
    for (const json& record : event["Records"]) {
      pictor::Result<pictor::ReceivedMessage> message = lambda::MessageFromSqsRecord(record);
      if (message.ok()) {
        FUZZ_CHECK(!message->message_id.empty());
        FUZZ_CHECK(message->receive_count >= 1);  // the first receive counts 1
      }
    }
  }
  return 0;
}
