// The SQS event handler: a batch's records run concurrently through RunJob, and the answer is
// the partial batch response, {"batchItemFailures": [{"itemIdentifier": "<messageId>"}]}, so
// only failed records return to the queue (the event source mapping needs
// ReportBatchItemFailures). A record not finished by the invocation's deadline minus a safety
// margin is reported as failed, never lost: SQS delivers it again and RunJob's redelivery
// rules (same key, image reused when already stored) keep the result single.
//
// Faults of the system (ClassifyFault kSystem: a full disk, a throttled model or store) must not
// use up a record's receives: a batchItemFailure returns the record to the queue, and SQS counts
// that receive toward the redrive policy, so five such failures in a row would dead-letter a good
// job within minutes. With `queue` set (the function's own queue, the event source), such a
// record is deferred instead: JobQueue::Defer sends a copy with a growing delay (up to 15 min)
// and deletes the original, and the record is reported done. Only when that fails, or when no
// queue is configured, is it reported as a batchItemFailure (one receive used).
#ifndef PICTOR_LAMBDA_SQS_BATCH_H_
#define PICTOR_LAMBDA_SQS_BATCH_H_

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/backoff.h"
#include "core/pipeline.h"
#include "pictor/job_queue.h"
#include "pictor/status.h"

namespace pictor::lambda {

struct SqsBatchOptions {
  int concurrency = 10;                           // records in flight at once
  std::chrono::milliseconds safety_margin{1000};  // answer this long before the deadline
  int max_attempts = 5;  // RunJob's bound; a dead letter is reported as failed too
  // Where records failing for a fault of the system are deferred (borrowed; see above).
  JobQueue* queue = nullptr;
  BackoffPolicy defer_backoff{std::chrono::seconds(30), kMaxDeferDelay};
  int max_deferrals = kDefaultMaxDeferrals;
  std::function<double()> random01;  // jitter in [0, 1); empty = a thread-local generator
};

struct SqsBatchReport {
  std::string response;  // the batchItemFailures document
  int records = 0;
  int failed = 0;      // records in batchItemFailures (unfinished ones included)
  int unfinished = 0;  // of those, not finished (or not started) by the deadline
  int deferred = 0;    // records deferred for a fault of the system (not failures)
};

// The ReceivedMessage of one SQS event record: messageId, receiptHandle, body, and from
// "attributes" ApproximateReceiveCount, SentTimestamp, ApproximateFirstReceiveTimestamp, and
// from "messageAttributes" the deferral count and origin id a deferred copy carries.
// InvalidArgument without a messageId or a string body.
Result<ReceivedMessage> MessageFromSqsRecord(const nlohmann::json& record);

// Thread-safety: Handle is called by one thread at a time (the runtime loop). Records run on
// `concurrency` owned threads (started by the first batch), which may still be finishing a late
// record when Handle has answered; the destructor waits for them. The borrowed pipeline outlives
// the handler.
class SqsBatchHandler {
 public:
  SqsBatchHandler(const Pipeline& pipeline, SqsBatchOptions options);
  ~SqsBatchHandler();
  SqsBatchHandler(const SqsBatchHandler&) = delete;
  SqsBatchHandler& operator=(const SqsBatchHandler&) = delete;

  // `deadline_ms`: Unix epoch ms (Lambda-Runtime-Deadline-Ms), 0 for none. InvalidArgument for
  // a malformed event (no record is run then, and Lambda retries the whole batch).
  Result<SqsBatchReport> Handle(const nlohmann::json& event, int64_t deadline_ms);

 private:
  void Submit(std::function<void()> task);
  void RunTasks();

  const Pipeline& pipeline_;
  const SqsBatchOptions options_;
  std::mutex tasks_mu_;  // guards tasks_ and stopping_
  std::condition_variable tasks_cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;  // only touched by the Handle thread and the destructor
};

}  // namespace pictor::lambda

#endif  // PICTOR_LAMBDA_SQS_BATCH_H_
