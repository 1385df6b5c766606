// The retry loop: classify each attempt, back off with full jitter, stop at the bound.
#include "net/retry.h"

#include <string>
#include <thread>

#include "core/backoff.h"

namespace pictor::net {

std::chrono::milliseconds RetryPolicy::DelayAfter(int attempt, RetryKind kind) const {
  BackoffPolicy backoff{kind == RetryKind::kThrottling ? throttling_base_delay : base_delay,
                        max_backoff};
  return random01 ? FullJitterDelay(backoff, attempt, random01())
                  : FullJitterDelay(backoff, attempt);
}

RetryKind ClassifyTransportFailure(const Status& status) {
  return status.code() == StatusCode::kUnavailable || status.code() == StatusCode::kDeadlineExceeded
             ? RetryKind::kTransient
             : RetryKind::kNone;
}

RetryKind ClassifyHttpAttempt(const Result<HttpReply>& outcome) {
  if (!outcome.ok()) return ClassifyTransportFailure(outcome.status());
  switch (outcome->status) {
    case 429:
      return RetryKind::kThrottling;
    case 408:
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
    RetryKind kind = policy.classify ? policy.classify(outcome) : ClassifyHttpAttempt(outcome);
    if (policy.limiter && outcome.ok()) {
      policy.limiter->OnReply(kind == RetryKind::kThrottling, sent_at);
    }
    if (kind == RetryKind::kNone || attempt >= max_attempts) return outcome;

    std::chrono::milliseconds delay = policy.DelayAfter(attempt, kind);
    if (policy.sleep) {
      policy.sleep(delay);
    } else {
      std::this_thread::sleep_for(delay);
    }
  }
}

}  // namespace pictor::net
