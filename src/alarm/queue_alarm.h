// A running queue alarm with everything it owns: the metric source, the state store, the
// notifiers (behind their delivery queue) and the runner. This is what `pictor alarm` runs alone
// and what `pictor serve` runs beside its server when given the alarm flags.
//
// Ownership: borrows the queue and the metrics registry; both must outlive the QueueAlarm.
// Thread-safety: Stop() and the destructor from the owner's thread; state() from any thread.
#ifndef PICTOR_ALARM_QUEUE_ALARM_H_
#define PICTOR_ALARM_QUEUE_ALARM_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "alarm/alarm_runner.h"
#include "alarm/alarm_settings.h"
#include "pictor/job_queue.h"
#include "pictor/metrics.h"
#include "pictor/notifier.h"

namespace pictor::alarm {

class QueueAlarm {
 public:
  QueueAlarm(std::unique_ptr<MetricSource> source, std::unique_ptr<AlarmStateStore> store,
             std::unique_ptr<Notifier> notifier, AlarmRunnerOptions options,
             MetricsRegistry& metrics);
  ~QueueAlarm();  // Stop()
  QueueAlarm(const QueueAlarm&) = delete;
  QueueAlarm& operator=(const QueueAlarm&) = delete;

  Status Start();
  // Ends evaluation, then delivers nothing more (queued notifications are logged as dropped).
  void Stop();
  AlarmState state() const { return runner_->state(); }

 private:
  std::unique_ptr<MetricSource> source_;
  std::unique_ptr<AlarmStateStore> store_;
  std::unique_ptr<Notifier> notifier_;
  std::unique_ptr<AlarmRunner> runner_;
};

// Where the alarm reads its metric, chosen from the queue spec by src/app's registry
// (AlarmMetricSource). Other metrics than ApproximateAgeOfOldestMessage always come from the
// queue's attributes.
struct MetricSourceSpec {
  enum class Kind {
    kQueue,            // the queue reports every metric itself (SQLite)
    kQueueWithoutAge,  // an SQS-compatible server: no age; the alarm samples the message count
    kCloudWatch,       // SQS on AWS: the age from CloudWatch's AWS/SQS namespace
  };
  Kind kind = Kind::kQueue;
  std::string region;      // kCloudWatch
  std::string queue_name;  // kCloudWatch: the QueueName dimension
};

// What the alarm is wired to besides its rule: decided by src/app's registry from the specs.
struct AlarmWiring {
  MetricSourceSpec source;
  std::string state_path;                // the SQLite file of its state and history
  std::unique_ptr<Notifier> notifier;    // null: no one is told
  std::function<std::string()> explain;  // optional: AlarmRunnerOptions::explain
};

// Builds and starts the alarm described by `settings` on `queue`, wired as `wiring` says.
// InvalidArgument for bad settings; the state store's error when it cannot be opened.
Result<std::unique_ptr<QueueAlarm>> StartAlarm(const AlarmSettings& settings, JobQueue& queue,
                                               AlarmWiring wiring, MetricsRegistry& metrics);

}  // namespace pictor::alarm

#endif  // PICTOR_ALARM_QUEUE_ALARM_H_
