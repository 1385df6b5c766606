// The standard retry loop: classify each attempt, back off with full jitter, stop at the bound.
#include "aws/retry.h"

#include <string>
#include <thread>

#include "aws/error.h"
#include "core/backoff.h"

namespace pictor::aws {

RetryKind ClassifyAttempt(const Result<HttpReply>& outcome) {
  if (!outcome.ok()) {
    StatusCode code = outcome.status().code();
    return code == StatusCode::kUnavailable || code == StatusCode::kDeadlineExceeded
               ? RetryKind::kTransient
               : RetryKind::kNone;
  }
  const HttpReply& reply = *outcome;
  if (reply.status < 300) return RetryKind::kNone;
  AwsError error = ParseAwsError(reply);
  if (IsThrottlingCode(error.code) || reply.status == 429) return RetryKind::kThrottling;
  if (IsTransientCode(error.code)) return RetryKind::kTransient;
  switch (reply.status) {
    case 500:
    case 502:
    case 503:
    case 504:
      return RetryKind::kTransient;
    default:
      return RetryKind::kNone;
  }
}

Result<HttpReply> PerformWithRetries(HttpClient& client, const std::function<HttpCall()>& make_call,
                                     const RetryPolicy& policy) {
  const int max_attempts = policy.max_attempts < 1 ? 1 : policy.max_attempts;
  for (int attempt = 1;; ++attempt) {
    if (policy.limiter && !policy.limiter->Acquire(policy.max_rate_wait)) {
      return Status::ResourceExhausted(
          "throttled on the client: the adaptive rate limit has no capacity within " +
          std::to_string(policy.max_rate_wait.count()) + " ms");
    }
    const double sent_at = policy.limiter ? policy.limiter->Now() : 0;
    Result<HttpReply> outcome = client.Perform(make_call());
    RetryKind kind = ClassifyAttempt(outcome);
    if (policy.limiter && outcome.ok()) {
      policy.limiter->OnReply(kind == RetryKind::kThrottling, sent_at);
    }
    if (kind == RetryKind::kNone || attempt >= max_attempts) return outcome;

    BackoffPolicy backoff{
        kind == RetryKind::kThrottling ? policy.throttling_base_delay : policy.base_delay,
        policy.max_backoff};
    std::chrono::milliseconds delay = policy.random01
                                          ? FullJitterDelay(backoff, attempt, policy.random01())
                                          : FullJitterDelay(backoff, attempt);
    if (policy.sleep) {
      policy.sleep(delay);
    } else {
      std::this_thread::sleep_for(delay);
    }
  }
}

}  // namespace pictor::aws
