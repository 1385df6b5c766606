// RateLimiter: a token bucket per API key over the requests that create images.
//
// A key of rate `count` per `period_s` holds at most `count` tokens and gains count / period_s
// per second; each request takes one. A new key starts full, so a 60/min key may send 60
// requests at once and then one a second. Its answer carries what the RateLimit-Limit,
// -Remaining and -Reset headers and Retry-After say.
//
// State is per process: several servers each allow the full rate (the budget, not the rate, is
// what bounds spend across processes). Memory is one small entry per key name ever seen here;
// key names come from the key store, never from a client.
//
// Thread-safety: thread-safe.
#ifndef PICTOR_CORE_RATE_LIMITER_H_
#define PICTOR_CORE_RATE_LIMITER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "pictor/api_keys.h"

namespace pictor {

struct RateDecision {
  bool allowed = true;
  int64_t limit = 0;        // the bucket's size (RateLimit-Limit); 0 when unlimited
  int64_t remaining = 0;    // whole tokens left after this request (RateLimit-Remaining)
  int64_t reset_s = 0;      // seconds until the bucket is full again (RateLimit-Reset)
  int64_t retry_at_ms = 0;  // refused: when the next token arrives (Retry-After)
};

class RateLimiter {
 public:
  // `now_ms`: Unix epoch milliseconds (or any monotonic milliseconds); empty: the system clock.
  explicit RateLimiter(std::function<int64_t()> now_ms = {});

  // Takes one token from `key`'s bucket of `rate`, or refuses when none is left. An unlimited
  // rate is always allowed and keeps no state. A key whose rate changed keeps its tokens, capped
  // at the new size.
  RateDecision Take(std::string_view key, const RateLimit& rate);

 private:
  struct Bucket {
    double tokens = 0;
    int64_t updated_ms = 0;
  };

  std::function<int64_t()> now_ms_;
  std::mutex mu_;  // guards buckets_
  std::map<std::string, Bucket, std::less<>> buckets_;
};

}  // namespace pictor

#endif  // PICTOR_CORE_RATE_LIMITER_H_
