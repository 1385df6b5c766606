// The adaptive rate limiter: a token bucket, a rate clock and a CUBIC rate calculator, under one
// mutex (see adaptive_rate.h for the algorithm and its constants).
#include "net/adaptive_rate.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <thread>

namespace pictor::net {

RateClock RateClock::Steady() {
  return RateClock{
      .now =
          [] {
            return std::chrono::duration<double>(
                       std::chrono::steady_clock::now().time_since_epoch())
                .count();
          },
      .sleep =
          [](double seconds) {
            std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
          },
  };
}

AdaptiveRateLimiter::AdaptiveRateLimiter(AdaptiveRateOptions options, RateClock clock)
    : options_(options), clock_(std::move(clock)) {
  const double now = clock_.now();
  // The SDKs start the bucket at one token per second and empty; it only matters once enabled,
  // and the first throttling reply sets a rate of its own.
  fill_rate_ = std::max(1.0, options_.min_rate);
  last_refill_ = now;
  last_bucket_ = std::floor(now / options_.bucket_seconds) * options_.bucket_seconds;
  last_fail_ = now;
}

bool AdaptiveRateLimiter::Acquire(std::chrono::milliseconds max_wait) {
  const double max_wait_s = std::chrono::duration<double>(max_wait).count();
  const double start = clock_.now();
  double ticket = 0;  // 0 until one is taken
  // Wait for a ticket, then for the supply to reach it, re-reading the fill rate at least every
  // 100 ms: a cut made meanwhile by a throttling reply also slows the callers already waiting
  // (which keeps a deep queue of them from firing at the old rate), and a caller refused while
  // the rate was low gets a ticket as soon as the rate has recovered enough.
  for (;;) {
    double wait = 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!enabled_ && ticket == 0) return true;
      const double now = clock_.now();
      RefillLocked(now);
      const double left = max_wait_s - (now - start);
      if (ticket == 0 && (granted_ + 1 - supply_) / fill_rate_ <= left) ticket = ++granted_;
      // Within rounding of the ticket counts as reached: a sleep too short to move the clock
      // would otherwise spin.
      if (ticket != 0 && supply_ >= ticket - 1e-9) return true;
      // Given up. A ticket taken stays spent, which only slows those behind it by one interval.
      if (left <= 0) return false;
      wait = std::min(left, ticket != 0 ? (ticket - supply_) / fill_rate_ : left);
    }
    clock_.sleep(std::min(wait, 0.1));
  }
}

double AdaptiveRateLimiter::Reserve(double max_wait_s) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!enabled_) return 0;
  RefillLocked(clock_.now());
  const double ticket = granted_ + 1;
  const double wait = std::max(0.0, (ticket - supply_) / fill_rate_);
  if (wait > max_wait_s) return -1;
  granted_ = ticket;
  return wait;
}

void AdaptiveRateLimiter::OnReply(bool throttled) { OnReply(throttled, clock_.now()); }

void AdaptiveRateLimiter::OnReply(bool throttled, double sent_at) {
  std::lock_guard<std::mutex> lock(mutex_);
  const double now = clock_.now();

  // The rate clock: replies per time bucket, smoothed.
  const double bucket = std::floor(now / options_.bucket_seconds) * options_.bucket_seconds;
  bucket_count_ += 1;
  if (bucket > last_bucket_) {
    const double current = bucket_count_ / (bucket - last_bucket_);
    measured_rate_ = current * options_.smoothing + measured_rate_ * (1 - options_.smoothing);
    bucket_count_ = 0;
    last_bucket_ = bucket;
  }

  // The cut for this burst was made when the first reply to it came back.
  if (throttled && enabled_ && sent_at < last_fail_) return;

  double rate;
  if (!throttled) {
    rate = CubicSuccessLocked(now);
  } else {
    const double base = enabled_ ? std::min(measured_rate_, fill_rate_) : measured_rate_;
    w_max_ = base;
    k_ = std::cbrt(w_max_ * (1 - options_.beta) / options_.scale);
    last_fail_ = now;
    rate = base * options_.beta;
    enabled_ = true;
  }
  SetRateLocked(now, std::min(rate, 2 * measured_rate_));
}

bool AdaptiveRateLimiter::enabled() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return enabled_;
}

double AdaptiveRateLimiter::fill_rate() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return fill_rate_;
}

double AdaptiveRateLimiter::measured_rate() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return measured_rate_;
}

void AdaptiveRateLimiter::RefillLocked(double now) {
  if (now > last_refill_) {
    supply_ = std::min(granted_ + max_capacity_, supply_ + (now - last_refill_) * fill_rate_);
    last_refill_ = now;
  }
}

void AdaptiveRateLimiter::SetRateLocked(double now, double rate) {
  RefillLocked(now);  // tokens earned so far are earned at the old rate
  fill_rate_ = std::max(rate, options_.min_rate);
  max_capacity_ = std::max(rate, 1.0);
  supply_ = std::min(supply_, granted_ + max_capacity_);
}

double AdaptiveRateLimiter::CubicSuccessLocked(double now) const {
  const double dt = now - last_fail_ - k_;
  return options_.scale * dt * dt * dt + w_max_;
}

std::shared_ptr<AdaptiveRateLimiter> SharedRateLimiter(std::string_view endpoint) {
  // Process-wide by design: the quota is the account's, so every caller of one endpoint in this
  // process must see the same bucket. Never destroyed, so no caller outlives it.
  static auto* const guard = new std::mutex;
  static auto* const limiters =
      new std::map<std::string, std::shared_ptr<AdaptiveRateLimiter>, std::less<>>;
  std::lock_guard<std::mutex> lock(*guard);
  auto found = limiters->find(endpoint);
  if (found != limiters->end()) return found->second;
  auto limiter = std::make_shared<AdaptiveRateLimiter>();
  limiters->emplace(std::string(endpoint), limiter);
  return limiter;
}

}  // namespace pictor::net
