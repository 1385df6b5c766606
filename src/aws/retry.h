// Retries for AWS calls, after the AWS SDKs' "standard" retry mode.
//
// Policy (documented here because the SDKs differ in their constants):
//  - at most `max_attempts` attempts in all (3 by default, as in the SDKs);
//  - retried: transport failures that may pass (Unavailable, DeadlineExceeded), HTTP 500, 502,
//    503, 504 and 429, and any reply whose AWS error code is a throttling or transient one
//    (error.h: IsThrottlingCode, IsTransientCode). Never another 4xx;
//  - before attempt n+1 (n >= 1) the delay is full jitter: uniform in
//    [0, min(max_backoff, base * 2^(n-1))], with base 100 ms for transient errors and 500 ms for
//    throttling (the AWS SDK for Java 2.x "standard" values; throttling backs off harder so a
//    throttled fleet spreads out), max_backoff 20 s.
// The SDKs' client-wide retry token bucket is not modelled: every call has its own bound.
//
// With a `limiter` (the SDKs' "adaptive" mode, aws/adaptive_rate.h) every attempt first takes a
// token from it, and every reply is fed back to it; a token not due within `max_rate_wait` ends
// the call at once as ResourceExhausted, without an attempt.
#ifndef PICTOR_AWS_RETRY_H_
#define PICTOR_AWS_RETRY_H_

#include <chrono>
#include <functional>
#include <memory>

#include "aws/adaptive_rate.h"
#include "aws/http_client.h"
#include "pictor/status.h"

namespace pictor::aws {

struct RetryPolicy {
  int max_attempts = 3;
  std::chrono::milliseconds base_delay{100};
  std::chrono::milliseconds throttling_base_delay{500};
  std::chrono::milliseconds max_backoff{20000};
  // Waits between attempts; default std::this_thread::sleep_for. Tests record the delays.
  std::function<void(std::chrono::milliseconds)> sleep;
  // A number in [0, 1) for the jitter; default a thread-local generator.
  std::function<double()> random01;
  // Adaptive mode: the limiter shared by every call to the endpoint; null = standard mode.
  std::shared_ptr<AdaptiveRateLimiter> limiter;
  std::chrono::milliseconds max_rate_wait{60000};
};

// Why an attempt's outcome is worth another try.
enum class RetryKind { kNone, kTransient, kThrottling };

// Classifies one attempt: a transport status (reply absent) or a reply.
RetryKind ClassifyAttempt(const Result<HttpReply>& outcome);

// Sends make_call() until an attempt succeeds, fails permanently, or max_attempts are spent.
// make_call runs before every attempt, so a signed request gets a fresh date and signature.
// Returns the last outcome: a reply of any status (the caller interprets non-2xx with error.h)
// or the last transport Status. Thread-safe when make_call and the policy's functions are.
Result<HttpReply> PerformWithRetries(HttpClient& client, const std::function<HttpCall()>& make_call,
                                     const RetryPolicy& policy);

}  // namespace pictor::aws

#endif  // PICTOR_AWS_RETRY_H_
