#include "alarm/metric_source.h"

namespace pictor::alarm {
namespace {

class QueueMetricSource final : public MetricSource {
 public:
  QueueMetricSource(JobQueue& queue, QueueMetric metric, bool age_available)
      : queue_(queue), metric_(metric), age_available_(age_available) {}

  Result<double> Sample() override {
    auto attributes = queue_.Attributes();
    if (!attributes.ok()) return attributes.status();
    switch (metric_) {
      case QueueMetric::kApproximateAgeOfOldestMessage:
        return static_cast<double>(age_available_ ? attributes->oldest_age_seconds
                                                  : attributes->visible);
      case QueueMetric::kApproximateNumberOfMessagesVisible:
        return static_cast<double>(attributes->visible);
      case QueueMetric::kNumberOfMessagesDeadLettered:
        if (attributes->dead_lettered < 0) {
          return Status::Unsupported("the queue does not report its dead letters");
        }
        return static_cast<double>(attributes->dead_lettered);
    }
    return Status::Internal("unknown metric");
  }

  std::string Note() const override {
    if (metric_ == QueueMetric::kApproximateAgeOfOldestMessage && !age_available_) {
      return "this queue does not report the age of its oldest message; the alarm samples "
             "ApproximateNumberOfMessages instead";
    }
    return "";
  }

 private:
  JobQueue& queue_;
  const QueueMetric metric_;
  const bool age_available_;
};

}  // namespace

std::unique_ptr<MetricSource> NewQueueMetricSource(JobQueue& queue, QueueMetric metric,
                                                   bool age_available) {
  return std::make_unique<QueueMetricSource>(queue, metric, age_available);
}

}  // namespace pictor::alarm
