// AlarmRunner: evaluates one alarm on a schedule. It samples the metric several times per period,
// lets the evaluator close each period, records every transition in the state store, sets the
// gauge pictor_alarm_state{alarm} (0 OK, 1 ALARM, 2 INSUFFICIENT_DATA) and hands the
// transitions chosen by `notify_on` to the notifier.
//
// Ownership: borrows the source, store, notifier and metrics; all must outlive the runner.
// Thread-safety: Start/Stop from one owner thread; state() from any thread. The notifier is
// called on the runner's thread, so it should return quickly (notify/delivery_queue.h queues
// and retries off that thread); a failing notifier is logged and never stops evaluation.
#ifndef PICTOR_ALARM_ALARM_RUNNER_H_
#define PICTOR_ALARM_ALARM_RUNNER_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "alarm/evaluator.h"
#include "alarm/metric_source.h"
#include "alarm/state_store.h"
#include "pictor/metrics.h"
#include "pictor/notifier.h"

namespace pictor::alarm {

struct AlarmRunnerOptions {
  AlarmRule rule;
  std::string queue_name;
  int samples_per_period = 4;
  // Transitions that notify: into ALARM (from any state), into OK (only when leaving ALARM:
  // "back to OK"), into INSUFFICIENT_DATA.
  std::set<AlarmState> notify_on{AlarmState::kAlarm, AlarmState::kOk};
  std::function<TimePoint()> clock = [] { return std::chrono::system_clock::now(); };
  // Says what holds the queue when something known does (the global spend budget, during which
  // workers receive nothing), else ""; asked on each transition, and added to its note.
  std::function<std::string()> explain;
};

class AlarmRunner {
 public:
  // `store`, `notifier` and `metrics` may be null (no persistence, no notification, no gauge).
  AlarmRunner(AlarmRunnerOptions options, MetricSource& source, AlarmStateStore* store,
              Notifier* notifier, MetricsRegistry* metrics);
  ~AlarmRunner();  // Stop()
  AlarmRunner(const AlarmRunner&) = delete;
  AlarmRunner& operator=(const AlarmRunner&) = delete;

  // Restores the recorded state (if any). Fails when the rule is invalid or the store cannot be
  // read.
  Status Restore();

  // Restore() then the evaluation thread.
  Status Start();
  // Ends the thread; idempotent.
  void Stop();

  // One scheduled step at `now`, without the thread: evaluates the periods closed by `now`, then
  // takes a sample. Returns the transition, if any.
  std::optional<AlarmTransition> Step(TimePoint now);

  AlarmState state() const { return state_.load(); }
  const AlarmRule& rule() const { return options_.rule; }

 private:
  void Run();
  void Publish(const AlarmTransition& transition);
  AlarmEvent EventFor(const AlarmTransition& transition) const;

  const AlarmRunnerOptions options_;
  MetricSource& source_;
  AlarmStateStore* const store_;
  Notifier* const notifier_;
  Gauge* gauge_ = nullptr;
  AlarmEvaluator evaluator_;  // used only by the thread running Step
  std::atomic<AlarmState> state_{AlarmState::kInsufficientData};

  std::mutex stop_mutex_;  // guards stopping_
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace pictor::alarm

#endif  // PICTOR_ALARM_ALARM_RUNNER_H_
