#include "webhook/webhook_dispatcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "core/backoff.h"

namespace pictor::webhook {
namespace {

constexpr std::string_view kDeliveries = "pictor_webhook_deliveries_total";
constexpr std::string_view kDeliveriesHelp =
    "Job webhook attempts by outcome: delivered, retried (to be tried again) or failed (given "
    "up).";

}  // namespace

RetryPolicy ScaledRetryPolicy(std::chrono::milliseconds base) {
  const RetryPolicy defaults;
  RetryPolicy policy;
  policy.base = base;
  policy.cap = base * (defaults.cap / defaults.base);
  policy.give_up = base * (defaults.give_up / defaults.base);
  return policy;
}

std::chrono::milliseconds RetryDelay(const RetryPolicy& policy, int attempts, double random01) {
  return EqualJitterDelay(BackoffPolicy{policy.base, policy.cap}, std::max(attempts, 1), random01);
}

Dispatcher::Dispatcher(WebhookOutbox& outbox, const Sender& sender, JobLedger* ledger,
                       MetricsRegistry* metrics, DispatcherOptions options)
    : outbox_(outbox), sender_(sender), ledger_(ledger), metrics_(metrics), options_(options) {
  if (metrics_ != nullptr) {
    for (const char* outcome : {"delivered", "retried", "failed"}) {
      metrics_->GetCounter(kDeliveries, kDeliveriesHelp, {{"outcome", outcome}});
    }
    metrics_->GetGauge("pictor_webhook_pending",
                       "Job webhook messages waiting in the outbox to be delivered.");
  }
}

Dispatcher::~Dispatcher() { Stop(); }

int64_t Dispatcher::NowMs() const {
  return options_.clock != nullptr ? options_.clock->NowMs() : SystemClock().NowMs();
}

void Dispatcher::Start() {
  std::lock_guard lock(mu_);
  if (poller_.joinable()) return;
  stopping_ = false;
  for (int i = 0; i < std::max(options_.threads, 1); ++i) senders_.emplace_back([this] { Send(); });
  poller_ = std::thread([this] { Poll(); });
}

void Dispatcher::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  poll_cv_.notify_all();
  work_cv_.notify_all();
  if (poller_.joinable()) poller_.join();
  for (std::thread& t : senders_) t.join();
  senders_.clear();
}

Status Dispatcher::Enqueue(WebhookMessage message) {
  const int64_t now = NowMs();
  if (message.created_ms == 0) message.created_ms = now;
  message.next_attempt_ms = now;
  if (Status s = outbox_.Add(message); !s.ok()) return s;
  {
    std::lock_guard lock(mu_);
    wake_ = true;
  }
  poll_cv_.notify_all();
  return Status::Ok();
}

Status Dispatcher::DeliverNow(WebhookMessage message) {
  const int64_t now = NowMs();
  if (message.created_ms == 0) message.created_ms = now;
  // Hidden from pollers for the length of this attempt.
  message.next_attempt_ms = now + options_.lease.count();
  if (Status s = outbox_.Add(message); !s.ok()) return s;
  message.next_attempt_ms = now;
  Deliver(std::move(message));
  return Status::Ok();
}

void Dispatcher::Poll() {
  std::unique_lock lock(mu_);
  const int threads = std::max(options_.threads, 1);
  while (!stopping_) {
    const int free = threads - busy_;
    if (free > 0) {
      lock.unlock();
      auto claimed = outbox_.Claim(NowMs(), options_.lease.count(), free);
      if (!claimed.ok()) spdlog::warn("webhooks: {}", claimed.status().message());
      UpdatePendingGauge();
      lock.lock();
      if (claimed.ok()) {
        for (WebhookMessage& m : *claimed) {
          work_.push_back(std::move(m));
          ++busy_;
        }
        work_cv_.notify_all();
      }
    }
    // Woken early by an enqueue or a thread coming free; a full claim polls again at once.
    if (!wake_) {
      poll_cv_.wait_for(lock, options_.poll_interval, [this] { return stopping_ || wake_; });
    }
    wake_ = false;
  }
}

void Dispatcher::Send() {
  std::unique_lock lock(mu_);
  while (true) {
    work_cv_.wait(lock, [this] { return stopping_ || !work_.empty(); });
    if (work_.empty()) return;  // stopping
    if (stopping_) {            // not attempted: its lease runs out and a poller takes it again
      work_.clear();
      busy_ = 0;
      return;
    }
    WebhookMessage m = std::move(work_.front());
    work_.pop_front();
    lock.unlock();
    Deliver(std::move(m));
    lock.lock();
    --busy_;
    wake_ = true;
    poll_cv_.notify_all();
  }
}

void Dispatcher::Deliver(WebhookMessage m) {
  const int64_t now = NowMs();
  const webhook::Attempt attempt = sender_.Send(m, now / 1000);
  ++m.attempts;
  WebhookDelivery delivery;
  delivery.attempts = m.attempts;
  delivery.last_status = attempt.http_status;
  delivery.last_attempt_ms = now;
  delivery.last_error = attempt.error;
  const int64_t next = now + RetryDelay(options_.retry, m.attempts, Random01()).count();
  std::string outcome;
  if (attempt.outcome == Attempt::Outcome::kDelivered) {
    outcome = delivery.state = "delivered";
  } else if (attempt.outcome == Attempt::Outcome::kRetry &&
             next - m.created_ms < options_.retry.give_up.count()) {
    outcome = "retried";
    delivery.state = "pending";
  } else {
    outcome = delivery.state = "failed";
    if (attempt.outcome == Attempt::Outcome::kRetry) {
      delivery.last_error =
          "gave up after " + std::to_string(m.attempts) + " attempts; last: " + attempt.error;
    }
  }
  if (outcome == "delivered") {
    spdlog::debug("webhook {} of job {} delivered (attempt {})", m.id, m.job_id, m.attempts);
  } else {
    spdlog::warn("webhook {} of job {} {} (attempt {}): {}", m.id, m.job_id,
                 outcome == "failed" ? "given up" : "not delivered", m.attempts,
                 delivery.last_error);
  }
  // The job's record first: once the outbox is changed the next attempt may start at once, and
  // its record must not be overwritten by this one's.
  if (m.reported && ledger_ != nullptr) {
    if (Status s = ledger_->SetWebhookDelivery(m.job_id, delivery); !s.ok() && !s.IsNotFound()) {
      spdlog::warn("webhooks: recording the delivery of job {}: {}", m.job_id, s.message());
    }
  }
  Status kept;
  if (outcome == "retried") {
    m.next_attempt_ms = next;
    kept = outbox_.Reschedule(m);
  } else {
    kept = outbox_.Remove(m.id);
  }
  if (!kept.ok()) spdlog::warn("webhooks: {}", kept.message());
  if (metrics_ != nullptr) {
    metrics_->GetCounter(kDeliveries, kDeliveriesHelp, {{"outcome", outcome}}).Increment();
  }
}

void Dispatcher::UpdatePendingGauge() {
  if (metrics_ == nullptr) return;
  auto count = outbox_.Count();
  if (!count.ok()) return;
  metrics_
      ->GetGauge("pictor_webhook_pending",
                 "Job webhook messages waiting in the outbox to be delivered.")
      .Set(static_cast<double>(*count));
}

}  // namespace pictor::webhook
