#include "core/backoff.h"

#include <algorithm>
#include <random>

namespace pictor {

std::chrono::milliseconds FullJitterDelay(const BackoffPolicy& policy, int attempt,
                                          double random01) {
  attempt = std::clamp(attempt, 1, 40);
  double ceiling = static_cast<double>(policy.base.count());
  for (int i = 1; i < attempt && ceiling < static_cast<double>(policy.cap.count()); ++i) {
    ceiling *= 2;
  }
  ceiling = std::min(ceiling, static_cast<double>(policy.cap.count()));
  random01 = std::clamp(random01, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<int64_t>(ceiling * random01));
}

std::chrono::milliseconds FullJitterDelay(const BackoffPolicy& policy, int attempt) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> dist(0.0, 1.0);
  return FullJitterDelay(policy, attempt, dist(rng));
}

}  // namespace pictor
