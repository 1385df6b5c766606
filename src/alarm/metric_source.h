// Where an alarm's samples come from: one metric of one queue.
#ifndef PICTOR_ALARM_METRIC_SOURCE_H_
#define PICTOR_ALARM_METRIC_SOURCE_H_

#include <memory>
#include <string>

#include "alarm/alarm_rule.h"
#include "pictor/job_queue.h"
#include "pictor/status.h"

namespace pictor::alarm {

// Thread-safety: implementations are safe to call from one thread at a time.
class MetricSource {
 public:
  virtual ~MetricSource() = default;
  // One sample of the metric now. An error means no sample (a missing datapoint if the whole
  // period fails).
  virtual Result<double> Sample() = 0;
  // Why the samples are not exactly the metric asked for; "" when they are.
  virtual std::string Note() const = 0;
};

// Samples `metric` from `queue` (borrowed; must outlive the source) through
// JobQueue::Attributes: oldest_age_seconds, visible, dead_lettered. When `age_available` is
// false (an SQS-compatible queue that reports no age), ApproximateAgeOfOldestMessage is replaced
// by ApproximateNumberOfMessages and Note() says so.
std::unique_ptr<MetricSource> NewQueueMetricSource(JobQueue& queue, QueueMetric metric,
                                                   bool age_available = true);

}  // namespace pictor::alarm

#endif  // PICTOR_ALARM_METRIC_SOURCE_H_
