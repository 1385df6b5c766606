// Client-side rate adaptation, after the AWS SDKs' "adaptive" retry mode (botocore's
// ClientRateLimiter, the Java SDK's RateLimitingTokenBucket): a token bucket taken from before
// every attempt, whose fill rate is cut on each throttling reply and grows back on success along
// a CUBIC curve, so that every caller sharing the limiter settles just under the service's quota
// instead of bursting into it and backing off one by one.
//
// The algorithm, with the SDKs' constants (AdaptiveRateOptions):
//  - the limiter is off (Acquire never waits) until the first throttling reply;
//  - every reply is counted by a rate clock: the reply rate over 0.5 s time buckets, smoothed
//    exponentially (weight 0.8 for the newest bucket);
//  - a throttling reply sets w_max to the measured rate (once enabled, at most the fill rate),
//    and the new rate to beta * w_max (beta = 0.7); a success sets the rate to
//    C * (t - t_fail - K)^3 + w_max, with C = 0.4 and K = cbrt(w_max * (1 - beta) / C): it climbs
//    quickly back towards w_max, flattens there, then probes above it;
//  - the bucket's fill rate is that rate, capped at twice the measured rate and floored at
//    min_rate; its capacity is the rate (at least 1 token), so the burst is one second's worth.
// The floor is the SDKs' 0.5 per second. Quotas of a few calls a minute (new Bedrock accounts)
// sit below it; there the limiter still spreads the calls, and the throttled ones go back to the
// queue, whose growing visibility timeout does the slower pacing. A lower floor would make one
// throttling reply from a cold start stall the next call for a minute.
// Departures from the SDKs, each for a reason stated in docs/DECISIONS.md:
//  - callers wait in ticket order and re-read the rate while they wait, so a cut slows those
//    already queued too;
//  - one cut per round trip, as TCP counts one loss event per window: a throttling reply to an
//    attempt sent before the last cut does not cut again (with 64 callers and a slow reply,
//    a dozen replies to the same burst would otherwise cut the rate to 0.7^12 of itself);
//  - a wait is bounded (Acquire's max_wait): a caller that gets no token within it fails as
//    throttled locally, so a deep backlog returns jobs to the queue instead of holding them past
//    their visibility timeout;
//  - only replies are fed back; a transport failure says nothing about the service's quota.
//
// The algorithm knows nothing of AWS: it is fed "throttled or not" for each reply, and the
// OpenAI-compatible model uses it as the Bedrock model does, so it lives with the HTTP client.
// What is AWS's is the mode's name and the setting that turns it on (AWS_RETRY_MODE), which
// aws/retry_mode.h reads.
//
// Thread-safe: every member may be called from any number of threads; one mutex guards the
// state. Waiting happens outside the mutex.
#ifndef PICTOR_NET_ADAPTIVE_RATE_H_
#define PICTOR_NET_ADAPTIVE_RATE_H_

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>

namespace pictor::net {

// Time for the limiter, in seconds on a monotonic scale; tests inject a fake.
struct RateClock {
  std::function<double()> now;
  std::function<void(double seconds)> sleep;
  static RateClock Steady();  // std::chrono::steady_clock and std::this_thread::sleep_for
};

struct AdaptiveRateOptions {
  double min_rate = 0.5;   // tokens per second, the floor of the fill rate
  double beta = 0.7;       // the share of the rate kept on a throttling reply
  double scale = 0.4;      // CUBIC's C
  double smoothing = 0.8;  // weight of the newest time bucket in the measured rate
  double bucket_seconds = 0.5;
};

class AdaptiveRateLimiter {
 public:
  explicit AdaptiveRateLimiter(AdaptiveRateOptions options = {},
                               RateClock clock = RateClock::Steady());

  AdaptiveRateLimiter(const AdaptiveRateLimiter&) = delete;
  AdaptiveRateLimiter& operator=(const AdaptiveRateLimiter&) = delete;

  // Takes a token before an attempt, sleeping until it is due; callers holding tokens are served
  // in the order they took them, one fill interval apart, and a rate change applies to those
  // already waiting. A caller takes a token only once it would be due within what is left of
  // `max_wait`; returns false after `max_wait` without one, or with one a rate cut pushed
  // beyond it. A refused caller has thus been held `max_wait`: callers that came straight back
  // (a worker with a deep backlog takes its next job at once) would otherwise spin through the
  // queue failing jobs.
  bool Acquire(std::chrono::milliseconds max_wait);

  // Takes a token without waiting and returns how long its holder would have to wait at the
  // current rate (seconds, 0 when the bucket has one); a negative value means none was taken
  // because the wait would exceed `max_wait_s`. Acquire's arithmetic, for tests.
  double Reserve(double max_wait_s);

  // Feeds back one reply: `throttled` for a throttling answer (RetryKind::kThrottling in retry.h),
  // false for any other reply; `sent_at` is when its attempt was sent, on this limiter's clock
  // (Now()). Without it the attempt counts as sent after the last cut.
  void OnReply(bool throttled);
  void OnReply(bool throttled, double sent_at);
  double Now() const { return clock_.now(); }

  bool enabled() const;
  double fill_rate() const;      // tokens per second
  double measured_rate() const;  // replies per second, smoothed

 private:
  void RefillLocked(double now);
  void SetRateLocked(double now, double rate);
  double CubicSuccessLocked(double now) const;

  const AdaptiveRateOptions options_;
  const RateClock clock_;

  mutable std::mutex mutex_;  // guards every field below
  bool enabled_ = false;
  // The token bucket, as two counters: tokens handed out (numbered tickets, taken in order) and
  // tokens supplied so far; the bucket holds supply_ - granted_, negative while callers wait.
  double fill_rate_;
  double max_capacity_ = 1;
  double granted_ = 0;
  double supply_ = 0;
  double last_refill_;
  // The rate clock.
  double measured_rate_ = 0;
  double last_bucket_;
  double bucket_count_ = 0;
  // CUBIC.
  double w_max_ = 0;
  double k_ = 0;
  double last_fail_;
};

// The limiter every caller in this process shares for `endpoint` (e.g. "bedrock:<url>/<model>"):
// created on first use with default options, alive until the process ends.
std::shared_ptr<AdaptiveRateLimiter> SharedRateLimiter(std::string_view endpoint);

}  // namespace pictor::net

#endif  // PICTOR_NET_ADAPTIVE_RATE_H_
