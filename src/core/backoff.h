// Exponential backoff with full jitter (as the AWS SDKs' standard retry mode computes it).
#ifndef PICTOR_CORE_BACKOFF_H_
#define PICTOR_CORE_BACKOFF_H_

#include <chrono>
#include <cstdint>

namespace pictor {

struct BackoffPolicy {
  std::chrono::milliseconds base{1000};
  std::chrono::milliseconds cap{300000};
};

// The delay before attempt `attempt + 1` after `attempt` failures (attempt >= 1): a uniformly
// random duration in [0, min(cap, base * 2^(attempt-1))]. `random01` is a number in [0, 1).
std::chrono::milliseconds FullJitterDelay(const BackoffPolicy& policy, int attempt,
                                          double random01);

// As above, drawing the random number from a thread-local generator.
std::chrono::milliseconds FullJitterDelay(const BackoffPolicy& policy, int attempt);

// "Equal jitter": a uniformly random duration in [ceiling / 2, ceiling], ceiling as above. For
// waits that must keep growing (faults of the system): a long wait never falls back to seconds.
std::chrono::milliseconds EqualJitterDelay(const BackoffPolicy& policy, int attempt,
                                           double random01);

// A number in [0, 1) from a thread-local generator.
double Random01();

}  // namespace pictor

#endif  // PICTOR_CORE_BACKOFF_H_
