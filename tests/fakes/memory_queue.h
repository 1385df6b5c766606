// MemoryQueue: an in-memory JobQueue with the SQS semantics the port promises (visibility
// timeouts, receipt handles that go stale when the message is received again, receive counts,
// delays, Defer that gives the receive back, redrive after max_receive_count receives, a
// dead-letter list), for tests of what sits above the port. Not kept: retention, durability
// across processes. The clock may be a test's own, so visibility and delays need no sleeping;
// a long poll still waits in real time (it re-reads the clock every few milliseconds).
// Thread-safety: thread-safe.
#ifndef PICTOR_TESTS_FAKES_MEMORY_QUEUE_H_
#define PICTOR_TESTS_FAKES_MEMORY_QUEUE_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pictor/job_queue.h"

namespace pictor::testing {

struct MemoryQueueOptions {
  std::string name = "memory-queue";
  int max_receive_count = 5;          // as SqliteQueueOptions::max_receive_count
  std::function<int64_t()> now_ms{};  // Unix epoch ms; empty = the system clock
};

class MemoryQueue final : public JobQueue {
 public:
  struct DeadLetterEntry {
    std::string message_id;
    std::string body;
    std::string reason;
    int receive_count = 0;
  };

  explicit MemoryQueue(MemoryQueueOptions options = {});

  Result<SentMessage> Send(const OutgoingMessage& message) override;
  Result<std::vector<Result<SentMessage>>> SendBatch(
      std::span<const OutgoingMessage> messages) override;
  Result<std::vector<ReceivedMessage>> Receive(const ReceiveOptions& options) override;
  Status Delete(std::string_view receipt_handle) override;
  Status ChangeVisibility(std::string_view receipt_handle, std::chrono::seconds timeout) override;
  Status Defer(const ReceivedMessage& message, std::chrono::seconds delay) override;
  Status DeadLetter(std::string_view receipt_handle, std::string_view reason) override;
  Result<QueueAttributes> Attributes() override;
  std::string Name() const override { return options_.name; }

  // The dead-lettered messages, oldest first.
  std::vector<DeadLetterEntry> DeadLetters();

 private:
  struct Entry {
    std::string id;
    std::string body;
    int receive_count = 0;
    int deferrals = 0;
    int64_t sent_ms = 0;
    int64_t first_receive_ms = 0;
    int64_t visible_at_ms = 0;
    bool held = false;   // hidden by a receive (in flight) rather than by a delay
    std::string handle;  // the current receipt handle; empty when nobody holds one
  };

  int64_t Now() const;
  Result<SentMessage> SendLocked(const OutgoingMessage& message);
  std::vector<ReceivedMessage> ReceiveLocked(const ReceiveOptions& options);
  // The message `receipt_handle` currently belongs to, or nullptr when it is stale or unknown.
  Entry* Held(std::string_view receipt_handle);

  const MemoryQueueOptions options_;
  std::mutex mu_;  // guards everything below
  std::condition_variable sent_;
  std::map<uint64_t, Entry> messages_;  // by send order
  std::vector<DeadLetterEntry> dead_letters_;
  uint64_t next_seq_ = 1;
  uint64_t next_handle_ = 1;
};

}  // namespace pictor::testing

#endif  // PICTOR_TESTS_FAKES_MEMORY_QUEUE_H_
