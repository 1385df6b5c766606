#include "app/queue_metrics.h"

namespace pictor::app {

void AddQueueGauges(MetricsRegistry& metrics, JobQueue& queue) {
  constexpr const char* kDepthHelp = "Messages in the job queue, by state.";
  Labels q = {{"queue", queue.Name()}};
  auto with_state = [&](const char* state) {
    Labels l = q;
    l.emplace_back("state", state);
    return l;
  };
  Gauge& visible = metrics.GetGauge("pictor_queue_messages", kDepthHelp, with_state("visible"));
  Gauge& in_flight = metrics.GetGauge("pictor_queue_messages", kDepthHelp, with_state("in_flight"));
  Gauge& delayed = metrics.GetGauge("pictor_queue_messages", kDepthHelp, with_state("delayed"));
  Gauge& dead = metrics.GetGauge("pictor_queue_messages", kDepthHelp, with_state("dead_lettered"));
  Gauge& age = metrics.GetGauge("pictor_queue_oldest_message_age_seconds",
                                "Age of the oldest message not yet deleted.", q);
  Gauge& up = metrics.GetGauge("pictor_queue_up", "1 when the queue answered the last sample.", q);
  metrics.AddCollector([&queue, &visible, &in_flight, &delayed, &dead, &age, &up] {
    auto a = queue.Attributes();
    up.Set(a.ok() ? 1 : 0);
    if (!a.ok()) return;
    visible.Set(static_cast<double>(a->visible));
    in_flight.Set(static_cast<double>(a->in_flight));
    delayed.Set(static_cast<double>(a->delayed));
    dead.Set(static_cast<double>(a->dead_lettered));
    age.Set(static_cast<double>(a->oldest_age_seconds));
  });
}

}  // namespace pictor::app
