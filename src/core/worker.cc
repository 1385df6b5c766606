#include "core/worker.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/log_fields.h"

namespace pictor {
namespace {

std::chrono::seconds CeilSeconds(std::chrono::milliseconds ms) {
  return std::chrono::seconds((ms.count() + 999) / 1000);
}

}  // namespace

std::chrono::seconds DeferDelay(const BackoffPolicy& policy, int deferrals, double random01) {
  auto delay = CeilSeconds(EqualJitterDelay(policy, deferrals, random01));
  return std::clamp(delay, std::chrono::seconds(1), kMaxDeferDelay);
}

Worker::Worker(JobQueue& queue, const Pipeline& pipeline, WorkerOptions options)
    : queue_(queue), pipeline_(pipeline), options_(options) {}

Worker::~Worker() {
  RequestStop();
  Join();
}

void Worker::Start() {
  const int n = std::max(1, options_.concurrency);
  threads_.emplace_back([this] { ReceiveLoop(); });
  threads_.emplace_back([this] { HeartbeatLoop(); });
  for (int i = 0; i < n; ++i) threads_.emplace_back([this] { ExecuteLoop(); });
}

void Worker::RequestStop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  slot_cv_.notify_all();
}

void Worker::Join() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void Worker::ReceiveLoop() {
  const size_t limit = static_cast<size_t>(std::max(1, options_.concurrency));
  int failures = 0;
  while (true) {
    size_t free_slots;
    {
      std::unique_lock lock(mu_);
      slot_cv_.wait(lock, [&] { return stopping_ || in_flight_.size() < limit; });
      if (stopping_) return;
      free_slots = limit - in_flight_.size();
    }
    if (!WaitForBudget()) return;
    ReceiveOptions ro;
    ro.max_messages = static_cast<int>(std::min<size_t>(free_slots, kMaxBatch));
    ro.visibility_timeout = options_.visibility_timeout;
    ro.wait = options_.poll_wait;
    auto received = queue_.Receive(ro);
    if (!received.ok()) {
      ++failures;
      auto delay =
          FullJitterDelay({std::chrono::milliseconds(200), std::chrono::seconds(10)}, failures);
      spdlog::warn("receiving from queue {} failed ({}); retrying in {} ms", queue_.Name(),
                   received.status().ToString(), delay.count());
      std::unique_lock lock(mu_);
      slot_cv_.wait_for(lock, delay, [&] { return stopping_; });
      continue;
    }
    failures = 0;
    if (received->empty()) continue;
    {
      std::unique_lock lock(mu_);
      if (stopping_) {
        // Stop came while the receive was under way: the executors may be gone already, so
        // hand these back at once instead of leaving them hidden for a visibility timeout.
        lock.unlock();
        for (const auto& m : *received) {
          (void)queue_.ChangeVisibility(m.receipt_handle, std::chrono::seconds(0));
        }
        return;
      }
      auto visible_until = std::chrono::steady_clock::now() + options_.visibility_timeout;
      for (auto& m : *received) {
        in_flight_[m.message_id] = InFlight{m.receipt_handle, visible_until};
        pending_.push_back(std::move(m));
      }
      TellJobsInHand();
    }
    work_cv_.notify_all();
  }
}

void Worker::ExecuteLoop() {
  while (true) {
    ReceivedMessage message;
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
      if (pending_.empty()) return;  // stopping, nothing left
      message = std::move(pending_.front());
      pending_.pop_front();
      if (stopping_) {
        // Not started: hand it back at once rather than make the next worker wait.
        in_flight_.erase(message.message_id);
        TellJobsInHand();
        lock.unlock();
        (void)queue_.ChangeVisibility(message.receipt_handle, std::chrono::seconds(0));
        continue;
      }
      ++running_;
    }
    LogScope message_scope(LogField::kMessageId, message.message_id);
    JobResult result = RunJob(pipeline_, message, options_.max_attempts, options_.max_deferrals);
    {
      LogScope job_scope(LogField::kJobId, result.job_id);
      Settle(message, result);
    }
    {
      std::lock_guard lock(mu_);
      in_flight_.erase(message.message_id);
      --running_;
      TellJobsInHand();
    }
    slot_cv_.notify_all();
  }
}

void Worker::HeartbeatLoop() {
  const auto vis = options_.visibility_timeout;
  const auto period = std::max<std::chrono::milliseconds>(std::chrono::milliseconds(500), vis / 3);
  while (true) {
    std::vector<std::pair<std::string, std::string>> due;  // message id, receipt handle
    {
      std::unique_lock lock(mu_);
      if (slot_cv_.wait_for(lock, period, [&] { return stopping_ && in_flight_.empty(); })) {
        return;
      }
      auto now = std::chrono::steady_clock::now();
      for (auto& [id, f] : in_flight_) {
        if (f.visible_until - now < vis / 2) due.emplace_back(id, f.receipt_handle);
      }
    }
    for (const auto& [id, handle] : due) {
      LogScope message_scope(LogField::kMessageId, id);
      Status s = queue_.ChangeVisibility(handle, vis);
      if (!s.ok()) {
        spdlog::warn("extending visibility of message {} failed: {}", id, s.ToString());
        continue;
      }
      std::lock_guard lock(mu_);
      auto it = in_flight_.find(id);
      if (it != in_flight_.end()) it->second.visible_until = std::chrono::steady_clock::now() + vis;
    }
  }
}

bool Worker::WaitForBudget() {
  while (true) {
    const int64_t now = pipeline_.ClockMs();
    Status s = GlobalBudgetRoom(pipeline_);
    if (s.code() != StatusCode::kQuotaExceeded) {
      // A ledger that cannot answer does not stop the worker: each job's own charge decides.
      if (!s.ok()) spdlog::warn("checking the global budget failed: {}", s.ToString());
      if (paused_for_budget_.exchange(false)) {
        spdlog::info("the global budget has room again; receiving jobs from {}", queue_.Name());
        SetPausedGauge(false);
      }
      return true;
    }
    if (!paused_for_budget_.exchange(true)) {
      spdlog::warn("{}; not receiving jobs from {} until it resets at {}: they wait in the queue",
                   s.message(), queue_.Name(), FormatUtcTime(s.retry_at_ms()));
      SetPausedGauge(true);
    }
    const auto until_reset = std::chrono::milliseconds(std::max<int64_t>(1, s.retry_at_ms() - now));
    std::unique_lock lock(mu_);
    if (slot_cv_.wait_for(lock, std::min(until_reset, options_.budget_recheck),
                          [&] { return stopping_; })) {
      return false;
    }
  }
}

void Worker::SetPausedGauge(bool paused) {
  if (pipeline_.metrics == nullptr) return;
  pipeline_.metrics
      ->GetGauge("pictor_worker_paused_for_budget",
                 "1 while the worker receives no jobs because the global budget is spent.")
      .Set(paused ? 1 : 0);
}

void Worker::TellJobsInHand() {
  if (options_.on_jobs_in_hand) options_.on_jobs_in_hand(in_flight_.size());
}

double Worker::Random01() const {
  return options_.random01 ? options_.random01() : pictor::Random01();
}

void Worker::Settle(const ReceivedMessage& message, const JobResult& result) {
  switch (result.outcome) {
    case JobOutcome::kSucceeded: {
      ++succeeded_;
      spdlog::info("job {} stored {}", result.job_id, pipeline_.store.Location(result.key));
      if (Status s = queue_.Delete(message.receipt_handle); !s.ok()) {
        // The image is stored under the job's key; a second delivery rewrites the same key.
        spdlog::warn("deleting message {} failed: {}", message.message_id, s.ToString());
      }
      return;
    }
    case JobOutcome::kCancelled: {
      ++cancelled_;
      spdlog::info("job {} cancelled: its image is not stored", result.job_id);
      if (Status s = queue_.Delete(message.receipt_handle); !s.ok()) {
        // A second delivery finds the job cancelled and deletes it again.
        spdlog::warn("deleting message {} failed: {}", message.message_id, s.ToString());
      }
      return;
    }
    case JobOutcome::kRetry: {
      ++retried_;
      auto delay =
          CeilSeconds(FullJitterDelay(options_.retry_backoff, message.receive_count, Random01()));
      spdlog::warn("job {} attempt {} failed, retrying in {} s: {}", result.job_id,
                   message.receive_count, delay.count(), result.error.ToString());
      if (Status s = queue_.ChangeVisibility(message.receipt_handle, delay); !s.ok()) {
        spdlog::warn("rescheduling message {} failed: {}", message.message_id, s.ToString());
      }
      return;
    }
    case JobOutcome::kDefer: {
      ++deferred_;
      const auto delay = DeferDelay(options_.defer_backoff, message.deferrals + 1, Random01());
      spdlog::warn("job {} waits {} s for the system to recover (deferral {}): {}", result.job_id,
                   delay.count(), message.deferrals + 1, result.error.ToString());
      if (Status s = queue_.Defer(message, delay); !s.ok()) {
        // The message must still wait: hidden for the delay, at the cost of one receive.
        spdlog::warn("deferring message {} failed ({}); hiding it for {} s instead",
                     message.message_id, s.ToString(), delay.count());
        (void)queue_.ChangeVisibility(message.receipt_handle, delay);
      }
      return;
    }
    case JobOutcome::kDeadLetter: {
      ++dead_lettered_;
      spdlog::error("job {} failed permanently: {}", result.job_id, result.error.ToString());
      if (Status s = queue_.DeadLetter(message.receipt_handle, result.error.ToString()); !s.ok()) {
        spdlog::warn("dead-lettering message {} failed: {}", message.message_id, s.ToString());
      }
      return;
    }
  }
}

}  // namespace pictor
