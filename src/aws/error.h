// AWS error replies: parsing every body shape Pictor meets, and the one translation to Status.
//
// Free functions, thread-safe, no I/O. Parsing never fails: what cannot be read is derived from
// the HTTP status (a HEAD reply has no body at all).
#ifndef PICTOR_AWS_ERROR_H_
#define PICTOR_AWS_ERROR_H_

#include <string>
#include <string_view>

#include "net/http_client.h"
#include "pictor/status.h"

namespace pictor::aws {

struct AwsError {
  int http_status = 0;
  // The error code without namespace or URL ("NoSuchKey", "ThrottlingException",
  // "AWS.SimpleQueueService.NonExistentQueue"), at most 128 characters.
  std::string code;
  std::string message;
  std::string request_id;
};

// Reads an error reply:
//  - JSON protocol (SQS, ...): `__type` ("com.amazonaws.sqs#QueueDoesNotExist") and
//    `message`/`Message`; the `x-amzn-query-error` header ("AWS.SimpleQueueService.
//    NonExistentQueue;Sender"), when present, gives the code, as the SDKs report it for services
//    that keep their query-protocol codes;
//  - REST-JSON (Bedrock): `x-amzn-ErrorType` ("ValidationException:http://...") or `__type` /
//    `code` in the body, and `message`;
//  - XML (S3, query protocol): <Error><Code>, <Message>, <RequestId> anywhere in the document;
//  - no body, or one that is neither: a code named for the status ("NotFound", "Forbidden").
// The request id comes from the body or from x-amzn-RequestId / x-amz-request-id.
AwsError ParseAwsError(const net::HttpReply& reply);

// The one translation from an AWS error to a Status:
//  NotFound          404, NoSuchKey, NoSuchBucket, NonExistentQueue, ResourceNotFoundException...
//  PermissionDenied  401, 403, AccessDenied, SignatureDoesNotMatch, ExpiredToken...
//  ResourceExhausted 429 and every throttling code (IsThrottlingCode)
//  DeadlineExceeded  RequestTimeout, RequestTimeoutException, ModelTimeoutException, 408
//  Unavailable       5xx and the other transient codes (IsTransientCode)
//  AlreadyExists, FailedPrecondition, PayloadTooLarge for their few codes and statuses
//  InvalidArgument   any other 4xx (ValidationException...): permanent
// The Status carries the HTTP status and the code as its peer() answer: callers decide on
// those, never on the message. The message reads "<code> (HTTP <status>): <message> [request id
// <id>]", for humans; it carries only what the service wrote in its message field, which never
// contains a secret.
Status ToStatus(const AwsError& error);

// ParseAwsError then ToStatus; for a reply known not to be 2xx.
Status ReplyToStatus(const net::HttpReply& reply);

// True for the codes the AWS SDKs treat as throttling (retried with a longer backoff).
bool IsThrottlingCode(std::string_view code);

// True for the codes of transient service faults ("InternalError", "RequestTimeout",
// "ServiceUnavailable", "ModelNotReadyException"...), retried like a 5xx.
bool IsTransientCode(std::string_view code);

}  // namespace pictor::aws

#endif  // PICTOR_AWS_ERROR_H_
