// Retries of HTTP calls for every caller of the HTTP client (AWS services, OpenAI-compatible
// models, the Lambda Runtime API): a bound on the attempts and exponential backoff with full
// jitter between them.
//
// Policy (documented here because the AWS SDKs, whose "standard" mode this follows, differ in
// their constants):
//  - at most `max_attempts` attempts in all (3 by default, as in the SDKs);
//  - what is retried is decided by the policy's `classify`. The default, ClassifyHttpAttempt,
//    reads only the transport status and the HTTP status: transport failures that may pass
//    (Unavailable, DeadlineExceeded) and HTTP 408, 500, 502, 503 and 504 are transient, 429 is
//    throttling, nothing else is retried. A service whose error bodies say more classifies them
//    itself (aws/retry_mode.h reads AWS's throttling and transient error codes);
//  - before attempt n+1 (n >= 1) the delay is full jitter (core/backoff.h): uniform in
//    [0, min(max_backoff, base * 2^(n-1))], with base 100 ms for transient errors and 500 ms for
//    throttling (the AWS SDK for Java 2.x "standard" values; throttling backs off harder so a
//    throttled fleet spreads out), max_backoff 20 s.
// No client-wide retry budget (the SDKs' retry token bucket) is modelled: every call has its own
// bound.
//
// With a `limiter` (adaptive_rate.h) every attempt first takes a token from it, and every reply
// is fed back to it; a token not due within `max_rate_wait` ends the call at once as
// ResourceExhausted, without an attempt.
#ifndef PICTOR_NET_RETRY_H_
#define PICTOR_NET_RETRY_H_

#include <chrono>
#include <functional>
#include <memory>

#include "net/adaptive_rate.h"
#include "net/http_client.h"
#include "pictor/status.h"

namespace pictor::net {

// Why an attempt's outcome is worth another try.
enum class RetryKind { kNone, kTransient, kThrottling };

// Classifies one attempt: a transport status (reply absent) or a reply.
using RetryClassifier = std::function<RetryKind(const Result<HttpReply>&)>;

struct RetryPolicy {
  int max_attempts = 3;
  std::chrono::milliseconds base_delay{100};
  std::chrono::milliseconds throttling_base_delay{500};
  std::chrono::milliseconds max_backoff{20000};
  // Waits between attempts; default std::this_thread::sleep_for. Tests record the delays.
  std::function<void(std::chrono::milliseconds)> sleep;
  // A number in [0, 1) for the jitter; default a thread-local generator.
  std::function<double()> random01;
  // Adaptive mode: the limiter shared by every call to the endpoint; null = no rate limiting.
  std::shared_ptr<AdaptiveRateLimiter> limiter;
  std::chrono::milliseconds max_rate_wait{60000};
  // Which outcomes are retried; null = ClassifyHttpAttempt.
  RetryClassifier classify;

  // The jittered delay before attempt `attempt + 1`, after `attempt` (>= 1) attempts that failed
  // with `kind` (kTransient or kThrottling).
  std::chrono::milliseconds DelayAfter(int attempt, RetryKind kind) const;
};

// The transport part of every classification: Unavailable and DeadlineExceeded may pass
// (transient); any other status will not (a malformed URL, a reply over the size limit).
RetryKind ClassifyTransportFailure(const Status& status);

// The default classification: ClassifyTransportFailure for a transport status; for a reply,
// 429 is throttling, 408, 500, 502, 503 and 504 are transient, anything else is final.
RetryKind ClassifyHttpAttempt(const Result<HttpReply>& outcome);

// Sends make_call() until an attempt is not worth retrying or max_attempts are spent.
// make_call runs before every attempt, so a signed request gets a fresh date and signature.
// Returns the last outcome: a reply of any status (the caller interprets non-2xx) or the last
// transport Status. Thread-safe when make_call and the policy's functions are.
Result<HttpReply> PerformWithRetries(HttpClient& client, const std::function<HttpCall()>& make_call,
                                     const RetryPolicy& policy);

}  // namespace pictor::net

#endif  // PICTOR_NET_RETRY_H_
