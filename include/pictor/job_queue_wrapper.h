// JobQueueWrapper: a JobQueue that forwards every call to another (LevelDB's EnvWrapper), the base
// of decorators that time, count or fail some calls: such a decorator overrides only what it
// changes, and a method added to JobQueue is forwarded here once instead of silently missing
// from every decorator. Thread-safety: as the wrapped queue's.
#ifndef PICTOR_JOB_QUEUE_WRAPPER_H_
#define PICTOR_JOB_QUEUE_WRAPPER_H_

#include <chrono>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "pictor/job_queue.h"

namespace pictor {

class JobQueueWrapper : public JobQueue {
 public:
  // Borrows `target`, which must outlive the wrapper.
  explicit JobQueueWrapper(JobQueue& target) : target_(target) {}

  JobQueue& target() const { return target_; }

  Result<SentMessage> Send(const OutgoingMessage& message) override {
    return target_.Send(message);
  }
  Result<std::vector<Result<SentMessage>>> SendBatch(
      std::span<const OutgoingMessage> messages) override {
    return target_.SendBatch(messages);
  }
  Result<std::vector<ReceivedMessage>> Receive(const ReceiveOptions& options) override {
    return target_.Receive(options);
  }
  Status Delete(std::string_view receipt_handle) override { return target_.Delete(receipt_handle); }
  Status ChangeVisibility(std::string_view receipt_handle, std::chrono::seconds timeout) override {
    return target_.ChangeVisibility(receipt_handle, timeout);
  }
  Status Defer(const ReceivedMessage& message, std::chrono::seconds delay) override {
    return target_.Defer(message, delay);
  }
  Status DeadLetter(std::string_view receipt_handle, std::string_view reason) override {
    return target_.DeadLetter(receipt_handle, reason);
  }
  Result<QueueAttributes> Attributes() override { return target_.Attributes(); }
  std::string Name() const override { return target_.Name(); }

 private:
  JobQueue& target_;
};

// Fails to compile when JobQueue gains a pure virtual method not forwarded above.
static_assert(!std::is_abstract_v<JobQueueWrapper>);

}  // namespace pictor

#endif  // PICTOR_JOB_QUEUE_WRAPPER_H_
