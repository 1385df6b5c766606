#include "core/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/pipeline.h"

namespace pictor {

RateLimiter::RateLimiter(std::function<int64_t()> now_ms) : now_ms_(std::move(now_ms)) {}

RateDecision RateLimiter::Take(std::string_view key, const RateLimit& rate) {
  if (rate.unlimited() || rate.period_s <= 0) return RateDecision{};
  const int64_t now = now_ms_ ? now_ms_() : NowMs();
  const double size = static_cast<double>(rate.count);
  const double per_ms = size / (static_cast<double>(rate.period_s) * 1000.0);

  std::lock_guard lock(mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) it = buckets_.emplace(std::string(key), Bucket{size, now}).first;
  Bucket& bucket = it->second;
  // A clock that steps back adds nothing (and takes nothing).
  const int64_t elapsed = std::max<int64_t>(0, now - bucket.updated_ms);
  bucket.tokens = std::min(size, bucket.tokens + static_cast<double>(elapsed) * per_ms);
  bucket.updated_ms = std::max(bucket.updated_ms, now);

  RateDecision d;
  d.limit = rate.count;
  d.allowed = bucket.tokens >= 1.0;
  if (d.allowed) bucket.tokens -= 1.0;
  d.remaining = static_cast<int64_t>(std::floor(bucket.tokens));
  d.reset_s = static_cast<int64_t>(std::ceil((size - bucket.tokens) / per_ms / 1000.0));
  if (!d.allowed) {
    d.retry_at_ms = now + static_cast<int64_t>(std::ceil((1.0 - bucket.tokens) / per_ms));
  }
  return d;
}

}  // namespace pictor
