#include "core/scale_in_protection.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>

namespace pictor {
namespace {

std::chrono::milliseconds RenewEvery(const ScaleInProtectionOptions& o) {
  if (o.renew_every.count() > 0) return o.renew_every;
  return std::chrono::milliseconds(int64_t{o.minutes} * 60000 / 3);
}

}  // namespace

ScaleInProtection::ScaleInProtection(TaskProtectionAgent& agent, ScaleInProtectionOptions options,
                                     MetricsRegistry* metrics)
    : agent_(agent),
      options_([&] {
        options.renew_every = RenewEvery(options);
        return options;
      }()),
      metrics_(metrics) {}

ScaleInProtection::~ScaleInProtection() { Stop(); }

void ScaleInProtection::Start() {
  thread_ = std::thread([this] { Run(); });
}

void ScaleInProtection::JobsInHand(size_t count) {
  std::lock_guard lock(mu_);
  const bool was_busy = jobs_ > 0;
  jobs_ = count;
  if (was_busy && count == 0) idle_since_ = Clock::now();
  if (was_busy != (count > 0)) cv_.notify_all();
}

void ScaleInProtection::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int64_t ScaleInProtection::calls() const {
  std::lock_guard lock(mu_);
  return calls_;
}

int64_t ScaleInProtection::failures() const {
  std::lock_guard lock(mu_);
  return failures_;
}

bool ScaleInProtection::in_force() const {
  std::lock_guard lock(mu_);
  return in_force_;
}

// One decision per turn: the call due now (protect when busy and unprotected or due for renewal;
// unprotect when idle past the grace, or at stop), else a wait until the next one may be due.
void ScaleInProtection::Run() {
  const auto period = std::chrono::minutes(options_.minutes);
  std::unique_lock lock(mu_);
  while (true) {
    const auto now = Clock::now();
    if (in_force_ && now >= protected_at_ + period) in_force_ = false;  // lapsed on its own
    std::optional<bool> ask;
    auto wake = Clock::time_point::max();
    if (stopping_) {
      if (!in_force_) return;
      ask = false;  // one attempt, without waiting out a retry delay
    } else if (jobs_ > 0) {
      const auto at = std::max(in_force_ ? protected_at_ + options_.renew_every : now, retry_at_);
      if (at <= now) {
        ask = true;
      } else {
        wake = at;
      }
    } else if (in_force_) {
      const auto at = std::max(idle_since_ + options_.idle_grace, retry_at_);
      if (at <= now) {
        ask = false;
      } else {
        wake = std::min(at, protected_at_ + period);
      }
    }
    if (!ask) {
      if (wake == Clock::time_point::max()) {
        cv_.wait(lock);
      } else {
        cv_.wait_until(lock, wake);
      }
      continue;
    }
    lock.unlock();
    const auto asked_at = Clock::now();
    const Status result = agent_.SetProtection(*ask, options_.minutes);
    lock.lock();
    Record(*ask, result, asked_at);
    if (stopping_ && !*ask) return;
  }
}

void ScaleInProtection::Record(bool enabled, const Status& result, Clock::time_point asked_at) {
  ++calls_;
  const char* what = enabled ? (in_force_ ? "renewing" : "turning on") : "turning off";
  if (metrics_ != nullptr) {
    metrics_
        ->GetCounter("pictor_task_protection_calls_total",
                     "Calls to set or remove the task's scale-in protection, by result.",
                     {{"result", result.ok() ? "ok" : "failed"}})
        .Increment();
  }
  if (!result.ok()) {
    ++failures_;
    ++failures_in_a_row_;
    const int doublings = std::min(failures_in_a_row_ - 1, 20);
    const auto delay =
        std::min(options_.retry_max, options_.retry_first * (int64_t{1} << doublings));
    retry_at_ = Clock::now() + delay;
    spdlog::warn(
        "task scale-in protection: {} failed ({} in a row; the worker goes on), trying "
        "again in {} ms: {}",
        what, failures_in_a_row_, delay.count(), result.ToString());
    return;
  }
  failures_in_a_row_ = 0;
  retry_at_ = {};
  if (enabled) {
    if (in_force_) {
      spdlog::debug("task scale-in protection renewed for {} min", options_.minutes);
    } else {
      spdlog::info("task scale-in protection on for {} min: jobs in hand", options_.minutes);
    }
    in_force_ = true;
    protected_at_ = asked_at;
  } else {
    spdlog::info("task scale-in protection off: no job in hand");
    in_force_ = false;
  }
  if (metrics_ != nullptr) {
    metrics_
        ->GetGauge(
            "pictor_task_protected",
            "1 while the task's scale-in protection is in force, as far as the worker knows.")
        .Set(in_force_ ? 1 : 0);
  }
}

}  // namespace pictor
