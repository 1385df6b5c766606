// RecordingNotifier: a Notifier that records every event it is given and answers as scripted:
// OK, the next few calls failing, every call failing, or each call held until the test releases
// it (a destination that hangs). A test waits for deliveries on a condition, not a sleep.
// Thread-safety: thread-safe.
#ifndef PICTOR_TESTS_FAKES_RECORDING_NOTIFIER_H_
#define PICTOR_TESTS_FAKES_RECORDING_NOTIFIER_H_

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pictor/notifier.h"

namespace pictor::testing {

class RecordingNotifier final : public Notifier {
 public:
  explicit RecordingNotifier(std::string description = "recording")
      : description_(std::move(description)) {}

  Status Notify(const AlarmEvent& event) override {
    std::unique_lock lock(mu_);
    events_.push_back(event);
    changed_.notify_all();
    changed_.wait(lock, [this] { return !held_; });
    if (!failures_.empty()) {
      Status s = std::move(failures_.front());
      failures_.pop_front();
      return s;
    }
    return always_ ? *always_ : Status::Ok();
  }
  std::string Describe() const override { return description_; }

  // The next `n` calls answer `status` (then the scripted answer before it resumes).
  void FailNext(int n, const Status& status = Status::Unavailable("down")) {
    std::lock_guard lock(mu_);
    for (int i = 0; i < n; ++i) failures_.push_back(status);
  }
  // Every call answers `status`; nullopt answers OK again.
  void FailAlways(std::optional<Status> status = Status::Unavailable("down")) {
    std::lock_guard lock(mu_);
    always_ = std::move(status);
  }
  // Calls from now on are recorded, then wait until Release.
  void Hold() {
    std::lock_guard lock(mu_);
    held_ = true;
  }
  void Release() {
    std::lock_guard lock(mu_);
    held_ = false;
    changed_.notify_all();
  }

  int calls() {
    std::lock_guard lock(mu_);
    return static_cast<int>(events_.size());
  }
  std::vector<AlarmEvent> events() {
    std::lock_guard lock(mu_);
    return events_;
  }
  // True once at least `n` calls have arrived; false when `timeout` passed first.
  bool WaitForCalls(int n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, timeout, [&] { return static_cast<int>(events_.size()) >= n; });
  }

 private:
  const std::string description_;
  std::mutex mu_;  // guards everything below
  std::condition_variable changed_;
  std::vector<AlarmEvent> events_;
  std::deque<Status> failures_;
  std::optional<Status> always_;
  bool held_ = false;
};

}  // namespace pictor::testing

#endif  // PICTOR_TESTS_FAKES_RECORDING_NOTIFIER_H_
