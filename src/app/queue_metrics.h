// Queue depth and age gauges, sampled from JobQueue::Attributes whenever /metrics is read.
#ifndef PICTOR_APP_QUEUE_METRICS_H_
#define PICTOR_APP_QUEUE_METRICS_H_

#include "pictor/job_queue.h"
#include "pictor/metrics.h"

namespace pictor::app {

// Registers a collector on `metrics` that reads `queue` (borrowed; must outlive `metrics`'s
// use) into pictor_queue_messages{state} and pictor_queue_oldest_message_age_seconds.
void AddQueueGauges(MetricsRegistry& metrics, JobQueue& queue);

}  // namespace pictor::app

#endif  // PICTOR_APP_QUEUE_METRICS_H_
