// The SQS event handler: a batch's records run concurrently through RunJob, and the answer is
// the partial batch response, {"batchItemFailures": [{"itemIdentifier": "<messageId>"}]}, so
// only failed records return to the queue (the event source mapping needs
// ReportBatchItemFailures). A record not finished by the invocation's deadline minus a safety
// margin is reported as failed, never lost: SQS delivers it again and RunJob's redelivery
// rules (same key, image reused when already stored) keep the result single.
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

#include "core/pipeline.h"
#include "pictor/job_queue.h"
#include "pictor/status.h"

namespace pictor::lambda {

struct SqsBatchOptions {
  int concurrency = 10;                           // records in flight at once
  std::chrono::milliseconds safety_margin{1000};  // answer this long before the deadline
  int max_attempts = 5;  // RunJob's bound; a dead letter is reported as failed too
};

struct SqsBatchReport {
  std::string response;  // the batchItemFailures document
  int records = 0;
  int failed = 0;      // records in batchItemFailures (unfinished ones included)
  int unfinished = 0;  // of those, not finished (or not started) by the deadline
};

// The ReceivedMessage of one SQS event record: messageId, receiptHandle, body, and from
// "attributes" ApproximateReceiveCount, SentTimestamp, ApproximateFirstReceiveTimestamp.
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
