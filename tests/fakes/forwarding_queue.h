// A JobQueue that forwards every call to another, so a test can override only what it changes
// (fail a send, record the delays asked for, move a clock).
#ifndef PICTOR_TESTS_FAKES_FORWARDING_QUEUE_H_
#define PICTOR_TESTS_FAKES_FORWARDING_QUEUE_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pictor/job_queue.h"

namespace pictor::testing {

class ForwardingQueue : public JobQueue {
 public:
  explicit ForwardingQueue(JobQueue& base) : base_(base) {}
  Result<SentMessage> Send(const OutgoingMessage& message) override { return base_.Send(message); }
  Result<std::vector<Result<SentMessage>>> SendBatch(
      std::span<const OutgoingMessage> messages) override {
    return base_.SendBatch(messages);
  }
  Result<std::vector<ReceivedMessage>> Receive(const ReceiveOptions& options) override {
    return base_.Receive(options);
  }
  Status Delete(std::string_view receipt_handle) override { return base_.Delete(receipt_handle); }
  Status ChangeVisibility(std::string_view receipt_handle, std::chrono::seconds timeout) override {
    return base_.ChangeVisibility(receipt_handle, timeout);
  }
  Status Defer(const ReceivedMessage& message, std::chrono::seconds delay) override {
    return base_.Defer(message, delay);
  }
  Status DeadLetter(std::string_view receipt_handle, std::string_view reason) override {
    return base_.DeadLetter(receipt_handle, reason);
  }
  Result<QueueAttributes> Attributes() override { return base_.Attributes(); }
  std::string Name() const override { return base_.Name(); }

 protected:
  JobQueue& base_;
};

}  // namespace pictor::testing

#endif  // PICTOR_TESTS_FAKES_FORWARDING_QUEUE_H_
