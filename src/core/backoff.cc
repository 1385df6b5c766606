#include "core/backoff.h"

#include <algorithm>
#include <random>

namespace pictor {

namespace {

double Ceiling(const BackoffPolicy& policy, int attempt) {
  attempt = std::clamp(attempt, 1, 40);
  double ceiling = static_cast<double>(policy.base.count());
  for (int i = 1; i < attempt && ceiling < static_cast<double>(policy.cap.count()); ++i) {
    ceiling *= 2;
  }
  return std::min(ceiling, static_cast<double>(policy.cap.count()));
}

}  // namespace

std::chrono::milliseconds FullJitterDelay(const BackoffPolicy& policy, int attempt,
                                          double random01) {
  random01 = std::clamp(random01, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<int64_t>(Ceiling(policy, attempt) * random01));
}

std::chrono::milliseconds FullJitterDelay(const BackoffPolicy& policy, int attempt) {
  return FullJitterDelay(policy, attempt, Random01());
}

std::chrono::milliseconds EqualJitterDelay(const BackoffPolicy& policy, int attempt,
                                           double random01) {
  random01 = std::clamp(random01, 0.0, 1.0);
  const double ceiling = Ceiling(policy, attempt);
  return std::chrono::milliseconds(static_cast<int64_t>(ceiling / 2 + ceiling / 2 * random01));
}

double Random01() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> dist(0.0, 1.0);
  return dist(rng);
}

}  // namespace pictor
