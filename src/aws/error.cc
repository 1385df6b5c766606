// Parsing of AWS error replies and their translation to Status.
#include "aws/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "aws/xml_text.h"

namespace pictor::aws {
namespace {

constexpr size_t kMaxMessage = 512;
// AWS codes are identifiers of a few dozen characters; a longer one is cut to this.
constexpr size_t kMaxCode = 128;

constexpr std::array<std::string_view, 15> kThrottlingCodes = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
    "AWS.SimpleQueueService.RequestThrottled",
};

constexpr std::array<std::string_view, 11> kTransientCodes = {
    "RequestTimeout",        "RequestTimeoutException",     "InternalError",
    "InternalFailure",       "InternalServerError",         "InternalServerException",
    "ServiceUnavailable",    "ServiceUnavailableException", "ModelNotReadyException",
    "ModelTimeoutException", "IDPCommunicationError",
};

constexpr std::array<std::string_view, 12> kNotFoundCodes = {
    "NotFound",
    "NoSuchKey",
    "NoSuchBucket",
    "NoSuchUpload",
    "NoSuchVersion",
    "NonExistentQueue",
    "AWS.SimpleQueueService.NonExistentQueue",
    "QueueDoesNotExist",
    "ResourceNotFoundException",
    "ResourceNotFound",
    "NoSuchEntity",
    "NotFoundException",
};

constexpr std::array<std::string_view, 12> kPermissionCodes = {
    "AccessDenied",          "AccessDeniedException", "Forbidden",
    "InvalidAccessKeyId",    "SignatureDoesNotMatch", "ExpiredToken",
    "ExpiredTokenException", "InvalidClientTokenId",  "UnrecognizedClientException",
    "InvalidSecurity",       "IncompleteSignature",   "MissingAuthenticationToken",
};

template <size_t N>
bool Contains(const std::array<std::string_view, N>& set, std::string_view code) {
  return std::find(set.begin(), set.end(), code) != set.end();
}

// "com.amazonaws.sqs#QueueDoesNotExist" -> "QueueDoesNotExist";
// "ValidationException:http://internal.amazon.com/..." -> "ValidationException";
// "AWS.SimpleQueueService.NonExistentQueue;Sender" -> "AWS.SimpleQueueService.NonExistentQueue".
std::string BareCode(std::string_view code) {
  if (size_t hash = code.rfind('#'); hash != std::string_view::npos) code.remove_prefix(hash + 1);
  if (size_t end = code.find_first_of(":;"); end != std::string_view::npos)
    code = code.substr(0, end);
  while (!code.empty() && std::isspace(static_cast<unsigned char>(code.back())))
    code.remove_suffix(1);
  while (!code.empty() && std::isspace(static_cast<unsigned char>(code.front())))
    code.remove_prefix(1);
  return std::string(code);
}

std::string JsonString(const nlohmann::json& doc, std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    auto it = doc.find(key);
    if (it != doc.end() && it->is_string()) return it->get<std::string>();
  }
  return {};
}

std::string CodeForStatus(long status) {
  switch (status) {
    case 301:
      return "PermanentRedirect";
    case 304:
      return "NotModified";
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 405:
      return "MethodNotAllowed";
    case 408:
      return "RequestTimeout";
    case 409:
      return "Conflict";
    case 412:
      return "PreconditionFailed";
    case 413:
      return "EntityTooLarge";
    case 429:
      return "TooManyRequestsException";
    case 500:
      return "InternalError";
    case 503:
      return "ServiceUnavailable";
    default:
      return "Http" + std::to_string(status);
  }
}

std::string Shorten(std::string text) {
  if (text.size() > kMaxMessage) {
    text.resize(kMaxMessage);
    text += "...";
  }
  return text;
}

}  // namespace

bool IsThrottlingCode(std::string_view code) { return Contains(kThrottlingCodes, code); }
bool IsTransientCode(std::string_view code) { return Contains(kTransientCodes, code); }

AwsError ParseAwsError(const net::HttpReply& reply) {
  AwsError error;
  error.http_status = static_cast<int>(reply.status);
  std::string_view body = reply.body;
  while (!body.empty() && std::isspace(static_cast<unsigned char>(body.front()))) {
    body.remove_prefix(1);
  }
  if (body.starts_with('{')) {
    nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (doc.is_object()) {
      error.code = BareCode(JsonString(doc, {"__type", "code", "Code"}));
      error.message = JsonString(doc, {"message", "Message", "errorMessage"});
    }
  } else if (body.starts_with('<')) {
    error.code = BareCode(XmlElementText(body, "Code"));
    error.message = XmlElementText(body, "Message");
    error.request_id = XmlElementText(body, "RequestId");
  }
  // Headers win for the code: they are what the SDKs read first.
  if (std::string type = reply.Header("x-amzn-ErrorType"); !type.empty()) {
    error.code = BareCode(type);
  }
  if (std::string query = reply.Header("x-amzn-query-error"); !query.empty()) {
    error.code = BareCode(query);
  }
  if (error.code.size() > kMaxCode) error.code.resize(kMaxCode);
  if (error.code.empty()) error.code = CodeForStatus(reply.status);
  if (error.request_id.empty()) error.request_id = reply.Header("x-amzn-RequestId");
  if (error.request_id.empty()) error.request_id = reply.Header("x-amz-request-id");
  error.message = Shorten(std::move(error.message));
  return error;
}

namespace {

// The code and message of ToStatus, before the peer's answer is attached.
Status Classify(const AwsError& error) {
  std::string text = error.code + " (HTTP " + std::to_string(error.http_status) + ")";
  if (!error.message.empty()) text += ": " + error.message;
  if (!error.request_id.empty()) text += " [request id " + error.request_id + "]";

  const std::string& code = error.code;
  const int http = error.http_status;
  if (IsThrottlingCode(code) || http == 429) return Status::ResourceExhausted(text);
  if (code == "RequestTimeout" || code == "RequestTimeoutException" ||
      code == "ModelTimeoutException" || http == 408) {
    return Status::DeadlineExceeded(text);
  }
  if (IsTransientCode(code) || http >= 500) return Status::Unavailable(text);
  if (Contains(kNotFoundCodes, code) || http == 404) return Status::NotFound(text);
  if (Contains(kPermissionCodes, code) || http == 401 || http == 403) {
    return Status::PermissionDenied(text);
  }
  if (code == "BucketAlreadyExists" || code == "BucketAlreadyOwnedByYou" ||
      code == "QueueAlreadyExists" || code == "AWS.SimpleQueueService.QueueNameExists" ||
      code == "QueueNameExists") {
    return Status::AlreadyExists(text);
  }
  if (code == "PreconditionFailed" || code == "ReceiptHandleIsInvalid" ||
      code == "InvalidReceiptHandle" || code == "ConditionalRequestConflict" || http == 412) {
    return Status::FailedPrecondition(text);
  }
  if (code == "EntityTooLarge" || code == "RequestEntityTooLarge" || http == 413) {
    return Status::PayloadTooLarge(text);
  }
  if (http >= 300 && http < 400) return Status::Internal("unexpected redirect: " + text);
  return Status::InvalidArgument(text);
}

}  // namespace

Status ToStatus(const AwsError& error) {
  return Classify(error).WithPeer({.http_status = error.http_status, .code = error.code});
}

Status ReplyToStatus(const net::HttpReply& reply) { return ToStatus(ParseAwsError(reply)); }

}  // namespace pictor::aws
