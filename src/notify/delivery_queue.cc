#include "notify/delivery_queue.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace pictor::notify {
namespace {

class DeliveryQueue final : public Notifier {
 public:
  DeliveryQueue(std::vector<std::unique_ptr<Notifier>> notifiers, DeliveryOptions options)
      : notifiers_(std::move(notifiers)), options_(options), thread_([this] { Run(); }) {}

  ~DeliveryQueue() override {
    {
      std::lock_guard lock(queue_mutex_);
      stopping_ = true;
    }
    queue_cv_.notify_all();
    thread_.join();
  }

  Status Notify(const AlarmEvent& event) override {
    {
      std::lock_guard lock(queue_mutex_);
      if (queue_.size() >= options_.max_queued) {
        return Status::ResourceExhausted("too many alarm notifications waiting");
      }
      queue_.push_back(event);
    }
    queue_cv_.notify_all();
    return Status::Ok();
  }

  std::string Describe() const override {
    std::string out;
    for (const auto& n : notifiers_) out += (out.empty() ? "" : ", ") + n->Describe();
    return out;
  }

 private:
  void Run() {
    std::unique_lock lock(queue_mutex_);
    while (true) {
      queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) break;
      AlarmEvent event = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      for (const auto& n : notifiers_) Deliver(*n, event);
      lock.lock();
    }
    for (const auto& e : queue_) {
      spdlog::warn("alarm {}: {} notification dropped at shutdown", e.alarm, e.new_state);
    }
  }

  void Deliver(Notifier& notifier, const AlarmEvent& event) {
    for (int attempt = 1;; ++attempt) {
      Status s = notifier.Notify(event);
      if (s.ok()) {
        spdlog::info("alarm {}: {} notification sent to {}", event.alarm, event.new_state,
                     notifier.Describe());
        return;
      }
      const bool last = attempt >= options_.max_attempts || !s.IsRetryable();
      spdlog::warn("alarm {}: notification to {} failed (attempt {}): {}{}", event.alarm,
                   notifier.Describe(), attempt, s.ToString(), last ? "; giving up" : "");
      if (last) return;
      std::unique_lock lock(queue_mutex_);
      if (queue_cv_.wait_for(lock, FullJitterDelay(options_.backoff, attempt),
                             [this] { return stopping_; })) {
        return;
      }
    }
  }

  const std::vector<std::unique_ptr<Notifier>> notifiers_;
  const DeliveryOptions options_;
  std::mutex queue_mutex_;  // guards queue_, stopping_
  std::condition_variable queue_cv_;
  std::deque<AlarmEvent> queue_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after everything it uses
};

}  // namespace

std::unique_ptr<Notifier> NewDeliveryQueue(std::vector<std::unique_ptr<Notifier>> notifiers,
                                           DeliveryOptions options) {
  return std::make_unique<DeliveryQueue>(std::move(notifiers), options);
}

}  // namespace pictor::notify
