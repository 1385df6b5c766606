// DeliveryQueue: a Notifier that fans each event out to several notifiers on its own thread, so
// that a slow or failing destination never blocks the alarm's evaluation. Each delivery is
// retried with full-jitter exponential backoff up to a bound, and every failure is logged.
//
// Ownership: owns the notifiers. Thread-safety: Notify may be called from any thread; it only
// queues the event and returns OK (or ResourceExhausted when the queue is full). The destructor
// stops the thread after the delivery in progress; undelivered events are logged and dropped.
#ifndef PICTOR_NOTIFY_DELIVERY_QUEUE_H_
#define PICTOR_NOTIFY_DELIVERY_QUEUE_H_

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "core/backoff.h"
#include "pictor/notifier.h"

namespace pictor::notify {

struct DeliveryOptions {
  int max_attempts = 5;  // per event and notifier
  BackoffPolicy backoff{std::chrono::milliseconds(500), std::chrono::milliseconds(30000)};
  size_t max_queued = 1000;
};

std::unique_ptr<Notifier> NewDeliveryQueue(std::vector<std::unique_ptr<Notifier>> notifiers,
                                           DeliveryOptions options = {});

}  // namespace pictor::notify

#endif  // PICTOR_NOTIFY_DELIVERY_QUEUE_H_
