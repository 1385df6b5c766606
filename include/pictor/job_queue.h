// JobQueue: the port for a queue of prompts, with Amazon SQS standard-queue semantics.
#ifndef PICTOR_JOB_QUEUE_H_
#define PICTOR_JOB_QUEUE_H_

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pictor/status.h"

namespace pictor {

inline constexpr int kMaxBatch = 10;  // SQS's limit for batch send and receive
inline constexpr size_t kMaxMessageBytes = 256 * 1024;
inline constexpr std::chrono::seconds kMaxDeferDelay{900};  // SQS's longest message delay

struct OutgoingMessage {
  std::string body;  // valid UTF-8, 1 byte to 256 KiB
  std::chrono::seconds delay{0};
};

struct SentMessage {
  std::string message_id;
  std::string md5_of_body;  // lower-case hex
};

struct ReceivedMessage {
  std::string message_id;
  std::string receipt_handle;  // valid until the message is received again
  std::string body;
  int receive_count = 0;          // ApproximateReceiveCount, 1 on the first receive
  int64_t sent_timestamp_ms = 0;  // SentTimestamp
  int64_t first_receive_timestamp_ms = 0;
  // Times the message was deferred (Defer) for faults of the system, carried with the message
  // so that the backoff keeps growing across deliveries. 0 for a message never deferred.
  int deferrals = 0;
  // When this message is a copy made by Defer, the id of the message first sent (the id a job
  // without a job_id of its own is known by); empty otherwise.
  std::string origin_message_id;
};

struct ReceiveOptions {
  int max_messages = 1;                         // 1..10
  std::chrono::seconds visibility_timeout{30};  // 0..12 h
  std::chrono::milliseconds wait{0};            // long poll, 0..20 s
};

struct QueueAttributes {
  int64_t visible = 0;             // ApproximateNumberOfMessages
  int64_t in_flight = 0;           // ApproximateNumberOfMessagesNotVisible
  int64_t delayed = 0;             // ApproximateNumberOfMessagesDelayed
  int64_t oldest_age_seconds = 0;  // ApproximateAgeOfOldestMessage (0 when empty)
  int64_t dead_lettered = 0;       // messages in the dead-letter queue (-1 if unknown)
};

// Thread-safety: implementations are thread-safe. Many processes may share one queue.
class JobQueue {
 public:
  JobQueue() = default;
  JobQueue(const JobQueue&) = delete;
  JobQueue& operator=(const JobQueue&) = delete;
  virtual ~JobQueue() = default;

  // When OK is returned the message is durable: it survives a crash of any process.
  virtual Result<SentMessage> Send(const OutgoingMessage& message) = 0;

  // Up to kMaxBatch messages; one Result per message, in order. The outer status fails only
  // when the batch as a whole was refused (too many entries, queue unreachable).
  virtual Result<std::vector<Result<SentMessage>>> SendBatch(
      std::span<const OutgoingMessage> messages) = 0;

  // Receives up to options.max_messages visible messages, hiding each for the visibility
  // timeout and incrementing its receive count. Waits up to options.wait for the first
  // message. An empty vector means none arrived in time. A message received more than the
  // queue's maxReceiveCount times is moved to the dead-letter queue instead of returned.
  virtual Result<std::vector<ReceivedMessage>> Receive(const ReceiveOptions& options) = 0;

  // Deletes the message a receipt handle belongs to. FailedPrecondition when the handle is
  // stale (the message was received again since) or unknown.
  virtual Status Delete(std::string_view receipt_handle) = 0;

  // Sets the message's remaining invisibility to `timeout` from now (0 = visible at once).
  // FailedPrecondition for a stale handle.
  virtual Status ChangeVisibility(std::string_view receipt_handle,
                                  std::chrono::seconds timeout) = 0;

  // Puts a received message back on the queue, visible again after `delay` (0..kMaxDeferDelay),
  // WITHOUT counting this receive toward maxReceiveCount, and with `deferrals` one higher on its
  // next delivery. For failures that are the system's fault, not the job's (a full disk, a
  // throttled peer): such a job must wait, not be dead-lettered. `message` is as Receive
  // returned it. At least once: where the queue cannot do this in place (SQS counts every
  // receive), a copy is sent with the delay first and the original deleted after, so a crash
  // between the two leaves a duplicate, never nothing. FailedPrecondition for a stale handle;
  // on any error the original is untouched and comes back after its visibility timeout.
  virtual Status Defer(const ReceivedMessage& message, std::chrono::seconds delay) = 0;

  // Moves the message to the dead-letter queue at once, keeping `reason`. Used for permanent
  // failures. Adapters whose service dead-letters by itself (SQS redrive) may log the reason
  // and leave the message to the service.
  virtual Status DeadLetter(std::string_view receipt_handle, std::string_view reason) = 0;

  virtual Result<QueueAttributes> Attributes() = 0;

  // The queue's name for logs, metrics and alarms ("queue.db", "prompts").
  virtual std::string Name() const = 0;
};

}  // namespace pictor

#endif  // PICTOR_JOB_QUEUE_H_
