// Scale-in protection while a worker has jobs in hand. A scaler that stops a task (ECS service
// auto scaling, a deployment) picks among the unprotected ones, so a task protects itself when
// it goes from idle to busy, renews the protection before it lapses while it stays busy, and
// removes it once it has been idle for a while (so a steady stream of jobs, with idle moments
// between them, does not make a call per job).
//
// What is asked sits behind TaskProtectionAgent: on ECS, the container agent's task-protection
// endpoint (aws/ecs_task_protection.h). The agent failing never stops the worker: a failed call
// is logged, counted (pictor_task_protection_calls_total{result="failed"}) and tried again after
// a bounded, growing wait; a protection that is never renewed lapses on its own after `minutes`.
#ifndef PICTOR_CORE_SCALE_IN_PROTECTION_H_
#define PICTOR_CORE_SCALE_IN_PROTECTION_H_

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>

#include "pictor/metrics.h"
#include "pictor/status.h"

namespace pictor {

// Who protects the task. Called from ScaleInProtection's thread only, one call at a time.
class TaskProtectionAgent {
 public:
  virtual ~TaskProtectionAgent() = default;
  // enabled: protect the task for `minutes` from now (a call while protected restarts the
  // period); !enabled: remove the protection (`minutes` unused). Any error status is a failure
  // to be tried again later; the call must be bounded in time.
  virtual Status SetProtection(bool enabled, int minutes) = 0;
};

struct ScaleInProtectionOptions {
  // Each protection's length, 1 to 2880 (ECS's bounds). It only matters when renewals stop
  // (the process hangs, the agent is unreachable): it should cover the longest job and a margin.
  int minutes = 15;
  // While busy, the protection is set again this often: well before it lapses, so that a failed
  // renewal or two still leave it in force. Default (zero): a third of `minutes`.
  std::chrono::milliseconds renew_every{0};
  // Idle this long before the protection is removed.
  std::chrono::milliseconds idle_grace{10000};
  // After a failed call, the next waits this long, doubling per failure in a row up to
  // `retry_max`.
  std::chrono::milliseconds retry_first{1000};
  std::chrono::milliseconds retry_max{60000};
};

// Thread-safety: JobsInHand may be called from any thread at any time (it only records the count
// and wakes the thread); Start and Stop from one thread. `agent` and `metrics` (may be null) are
// borrowed and must outlive the object.
class ScaleInProtection {
 public:
  ScaleInProtection(TaskProtectionAgent& agent, ScaleInProtectionOptions options,
                    MetricsRegistry* metrics);
  ScaleInProtection(const ScaleInProtection&) = delete;
  ScaleInProtection& operator=(const ScaleInProtection&) = delete;
  ~ScaleInProtection();  // Stop()

  void Start();
  // The worker's count of jobs received and not yet settled (WorkerOptions::on_jobs_in_hand).
  void JobsInHand(size_t count);
  // Ends the thread, removing the protection first if it is (believed) in force. Idempotent.
  void Stop();

  // What the agent was asked, and how many of those calls failed; whether the protection is in
  // force as far as this object knows.
  int64_t calls() const;
  int64_t failures() const;
  bool in_force() const;

 private:
  using Clock = std::chrono::steady_clock;
  void Run();
  void Record(bool enabled, const Status& result, Clock::time_point asked_at);

  TaskProtectionAgent& agent_;
  const ScaleInProtectionOptions options_;
  MetricsRegistry* const metrics_;

  mutable std::mutex mu_;       // guards everything below
  std::condition_variable cv_;  // the count changed or stop was asked
  size_t jobs_ = 0;
  Clock::time_point idle_since_ = Clock::now();
  bool in_force_ = false;
  Clock::time_point protected_at_{};  // when the last successful protection was asked
  Clock::time_point retry_at_{};      // no call before this (after failures)
  int failures_in_a_row_ = 0;
  int64_t calls_ = 0;
  int64_t failures_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace pictor

#endif  // PICTOR_CORE_SCALE_IN_PROTECTION_H_
