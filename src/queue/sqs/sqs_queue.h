// The Amazon SQS adapter of the JobQueue port (standard queues; also ElasticMQ, fauxqs and
// other servers speaking the SQS JSON protocol). Spec: a queue URL,
// "https://sqs.<region>.amazonaws.com/<account>/<name>" or
// "http(s)://host[:port]/<account>/<name>".
//
// Where it goes (queue_url.h): region from an AWS host, else the environment (AWS_REGION, ...),
// else us-east-1; endpoint AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL when set, else the URL's
// origin; credentials from the default chain (credentials.h).
//
// How the port's contract maps onto SQS:
//  - Send/SendBatch verify MD5OfMessageBody (a mismatch is Internal). Receive verifies MD5OfBody
//    and leaves out any message that fails: it stays hidden for its visibility timeout, comes
//    back, and is redriven by the queue's RedrivePolicy if it keeps failing.
//  - Receive: wait is rounded to the nearest second (WaitTimeSeconds 0..20). Every call's HTTP
//    total timeout is 30 s: the longest wait plus 10 s, so a long poll is never cut short.
//  - Delete: SQS deletes with a stale handle of a message received again (or already deleted)
//    silently succeed, so staleness is reported (FailedPrecondition) only when SQS says so:
//    ReceiptHandleIsInvalid, InvalidParameterValue about the receipt handle, MessageNotInflight.
//  - DeadLetter: with dead_letter_queue_url set, the message's body is sent there with the
//    reason as the String message attribute "pictor.dead_letter_reason" (and the original
//    message id as "pictor.message_id"), then the original is deleted. The body is known only
//    for messages this object received: for other handles, and when no dead-letter URL is set,
//    the reason is logged at error level and the message is left to the queue's RedrivePolicy
//    (it reappears after its visibility timeout; it is not deleted).
//  - Attributes: visible, in_flight, delayed from GetQueueAttributes. oldest_age_seconds is
//    always 0: SQS has no such queue attribute (CloudWatch's ApproximateAgeOfOldestMessage is
//    the source). dead_lettered counts the dead-letter queue's messages when its URL is set,
//    else -1. The dead-letter queue is reached through the same endpoint and region (SQS
//    requires a dead-letter queue in the queue's account and region).
//  - FIFO queues (".fifo") are Unsupported: they need message group ids.
//
// Thread-safety: the queue is thread-safe; one mutex guards the receipt-handle → body map kept
// for DeadLetter (only when a dead-letter URL is set; bounded, oldest entries dropped).
#ifndef PICTOR_QUEUE_SQS_SQS_QUEUE_H_
#define PICTOR_QUEUE_SQS_SQS_QUEUE_H_

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "net/http_client.h"
#include "net/retry.h"
#include "pictor/job_queue.h"
#include "pictor/status.h"
#include "queue/sqs/queue_url.h"

namespace pictor {

// One request's time by default: a 20 s long poll and 10 s for its reply.
inline constexpr std::chrono::milliseconds kDefaultSqsRequestTimeout{30000};

struct SqsQueueOptions {
  std::string queue_url{};              // the queue (spec)
  std::string dead_letter_queue_url{};  // optional: where DeadLetter moves messages
  net::RetryPolicy retry{};
  // The whole of one request (each attempt), a long poll's wait included: a receive waits at
  // most this less 1 s (and never over 20 s). At least 1 s.
  std::chrono::milliseconds request_timeout = kDefaultSqsRequestTimeout;
};

// Opens the queue at options.queue_url. No request is made: a missing queue shows on first use
// (NotFound). `http` is the transport (nullptr = net::NewHttpClient()); the queue owns it.
// Errors: InvalidArgument for a malformed URL (either one), Unsupported for a FIFO queue.
Result<std::unique_ptr<JobQueue>> OpenSqsQueue(const SqsQueueOptions& options,
                                               std::unique_ptr<net::HttpClient> http = nullptr);

// True when `spec` looks like an SQS queue URL (for the registry; see queue_url.h).
bool IsSqsQueueUrl(std::string_view spec);

// GetQueueUrl: the URL of the queue named `name` (owned by `account_id`, or the caller's
// account when empty), asked of the endpoint ResolveEndpoint("SQS", ...) gives for the region
// ResolveRegion() gives (us-east-1 when none). NotFound when there is no such queue.
Result<std::string> ResolveSqsQueueUrl(std::string_view name, std::string_view account_id = {},
                                       std::unique_ptr<net::HttpClient> http = nullptr);

}  // namespace pictor

#endif  // PICTOR_QUEUE_SQS_SQS_QUEUE_H_
