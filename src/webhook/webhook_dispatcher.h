// Delivers the webhook messages of the outbox, at least once: a small pool of threads sends each
// message due (Sender), a 2xx ends it, 410 Gone or a refused address gives it up, anything else
// is tried again after a jittered, doubling wait (5 s, 10 s, ... at most 10 min) until about an
// hour has passed since it was added. Messages wait in the outbox (pictor/webhook_outbox.h), so a
// restart loses none: every dispatcher sharing the outbox claims what is due when it starts and
// every poll interval after that. Each attempt of a reported message is written to its job's
// record (JobLedger::SetWebhookDelivery) and counted in pictor_webhook_deliveries_total{outcome}
// (delivered | retried | failed); pictor_webhook_pending is the outbox's size.
//
// Thread-safety: Enqueue and DeliverNow may be called from any thread; Start and Stop from one.
#ifndef PICTOR_WEBHOOK_WEBHOOK_DISPATCHER_H_
#define PICTOR_WEBHOOK_WEBHOOK_DISPATCHER_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "pictor/job_ledger.h"
#include "pictor/metrics.h"
#include "pictor/webhook_outbox.h"
#include "webhook/webhook_sender.h"

namespace pictor::webhook {

struct RetryPolicy {
  std::chrono::milliseconds base{5000};        // the first wait
  std::chrono::milliseconds cap{600000};       // the longest wait
  std::chrono::milliseconds give_up{3600000};  // no attempt starts later than this after Add
};

// A RetryPolicy whose every duration is `base`'s multiple of the default (PICTOR_WEBHOOK_BACKOFF_MS
// scales the whole schedule, so tests can run an hour of retries in seconds).
RetryPolicy ScaledRetryPolicy(std::chrono::milliseconds base);

// The wait after the `attempts`-th failed attempt (attempts >= 1): "equal jitter" over
// base * 2^(attempts-1), capped: uniformly in [d/2, d]. `random01` in [0, 1).
std::chrono::milliseconds RetryDelay(const RetryPolicy& policy, int attempts, double random01);

struct DispatcherOptions {
  RetryPolicy retry;
  int threads = 4;  // attempts in flight at once
  // How often the outbox is asked for due messages (other processes' included); also the
  // shortest time a retry waits for its turn beyond its delay.
  std::chrono::milliseconds poll_interval{5000};
  // How long a claimed message is hidden from other processes: longer than an attempt.
  std::chrono::milliseconds lease{30000};
  const Clock* clock = nullptr;  // null: the system's
};

class Dispatcher {
 public:
  // `outbox` and `sender` are borrowed; `ledger` and `metrics` may be null. All outlive it.
  Dispatcher(WebhookOutbox& outbox, const Sender& sender, JobLedger* ledger,
             MetricsRegistry* metrics, DispatcherOptions options);
  ~Dispatcher();  // Stop()
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Starts the poller and the sending threads.
  void Start();
  // Stops claiming, waits for the attempts in flight (each bounded by the sender's timeout) and
  // joins. Messages not yet attempted stay in the outbox.
  void Stop();

  // Keeps `message` in the outbox (durable when this returns), due at once, and wakes the poller.
  Status Enqueue(WebhookMessage message);

  // Keeps `message` and makes one attempt on the calling thread (a process that may not live
  // long enough for a poll: the Lambda function). A failed attempt is left to be retried by
  // whichever process polls the outbox next.
  Status DeliverNow(WebhookMessage message);

  // One attempt at `message` (already in the outbox) and what follows from it: removal,
  // rescheduling, the job's record, the metrics.
  void Deliver(WebhookMessage message);

 private:
  int64_t NowMs() const;
  void Poll();
  void Send();
  void UpdatePendingGauge();

  WebhookOutbox& outbox_;
  const Sender& sender_;
  JobLedger* ledger_;
  MetricsRegistry* metrics_;
  const DispatcherOptions options_;

  std::mutex mu_;                    // guards everything below
  std::condition_variable poll_cv_;  // wakes the poller: stop, an enqueue, a free thread
  std::condition_variable work_cv_;  // wakes a sending thread: work, stop
  bool stopping_ = false;
  bool wake_ = false;
  int busy_ = 0;  // messages claimed and not yet attempted to the end
  std::deque<WebhookMessage> work_;
  std::thread poller_;
  std::vector<std::thread> senders_;
};

}  // namespace pictor::webhook

#endif  // PICTOR_WEBHOOK_WEBHOOK_DISPATCHER_H_
