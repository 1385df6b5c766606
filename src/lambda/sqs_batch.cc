#include "lambda/sqs_batch.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <memory>
#include <utility>

#include "aws/sqs_attributes.h"
#include "core/log_fields.h"
#include "core/worker.h"

namespace pictor::lambda {
namespace {

using nlohmann::json;

int64_t IntAttribute(const json& attributes, const char* name, int64_t fallback) {
  auto it = attributes.find(name);
  if (it == attributes.end()) return fallback;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (!it->is_string()) return fallback;
  const auto& text = it->get_ref<const std::string&>();
  int64_t value = fallback;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size() ? value : fallback;
}

enum class RecordState { kPending, kSucceeded, kDeferred, kFailed, kSkipped };

// The stringValue of a message attribute, or "".
std::string StringAttribute(const json& attributes, std::string_view name) {
  auto it = attributes.find(name);
  if (it == attributes.end() || !it->is_object()) return {};
  auto value = it->find("stringValue");
  return value != it->end() && value->is_string() ? value->get<std::string>() : std::string();
}

// One batch's results. Shared with the tasks so that a record finishing after the answer
// writes into state nobody reads any more, instead of into freed memory.
struct BatchState {
  std::mutex mu;  // guards states and finished
  std::condition_variable finished_cv;
  std::vector<RecordState> states;
  size_t finished = 0;
};

// What becomes of one record: done, deferred (done too, for Lambda), or a batchItemFailure.
RecordState SettleRecord(const SqsBatchOptions& options, const ReceivedMessage& message,
                         const JobResult& r) {
  // A cancelled job is done with too: its message is deleted like a succeeded one's.
  if (r.outcome == JobOutcome::kSucceeded || r.outcome == JobOutcome::kCancelled) {
    return RecordState::kSucceeded;
  }
  if (r.outcome == JobOutcome::kDefer && options.queue != nullptr) {
    const double random01 = options.random01 ? options.random01() : Random01();
    const auto delay = DeferDelay(options.defer_backoff, message.deferrals + 1, random01);
    Status s = options.queue->Defer(message, delay);
    if (s.ok()) {
      spdlog::warn("record {} (job {}) waits {} s for the system to recover (deferral {}): {}",
                   message.message_id, r.job_id, delay.count(), message.deferrals + 1,
                   r.error.message());
      return RecordState::kDeferred;
    }
    spdlog::warn("record {} (job {}): deferring failed ({}); reported as failed",
                 message.message_id, r.job_id, s.ToString());
  }
  spdlog::warn("record {} (job {}) failed: {}", message.message_id, r.job_id, r.error.message());
  return RecordState::kFailed;
}

}  // namespace

Result<ReceivedMessage> MessageFromSqsRecord(const json& record) {
  if (!record.is_object()) return Status::InvalidArgument("SQS record is not an object");
  auto id = record.find("messageId");
  auto body = record.find("body");
  if (id == record.end() || !id->is_string() || id->get_ref<const std::string&>().empty()) {
    return Status::InvalidArgument("SQS record without a messageId");
  }
  if (body == record.end() || !body->is_string()) {
    return Status::InvalidArgument("SQS record without a body");
  }
  ReceivedMessage m;
  m.message_id = id->get<std::string>();
  m.body = body->get<std::string>();
  if (auto rh = record.find("receiptHandle"); rh != record.end() && rh->is_string()) {
    m.receipt_handle = rh->get<std::string>();
  }
  m.receive_count = 1;
  if (auto attrs = record.find("attributes"); attrs != record.end() && attrs->is_object()) {
    m.receive_count = static_cast<int>(std::clamp<int64_t>(
        IntAttribute(*attrs, "ApproximateReceiveCount", 1), 1, std::numeric_limits<int>::max()));
    m.sent_timestamp_ms = IntAttribute(*attrs, "SentTimestamp", 0);
    m.first_receive_timestamp_ms = IntAttribute(*attrs, "ApproximateFirstReceiveTimestamp", 0);
  }
  if (auto attrs = record.find("messageAttributes"); attrs != record.end() && attrs->is_object()) {
    const std::string deferrals = StringAttribute(*attrs, aws::kSqsDeferralsAttribute);
    int count = 0;
    auto [end, ec] = std::from_chars(deferrals.data(), deferrals.data() + deferrals.size(), count);
    if (ec == std::errc() && end == deferrals.data() + deferrals.size() && count > 0) {
      m.deferrals = count;
    }
    m.origin_message_id = StringAttribute(*attrs, aws::kSqsOriginAttribute);
  }
  return m;
}

SqsBatchHandler::SqsBatchHandler(const Pipeline& pipeline, SqsBatchOptions options)
    : pipeline_(pipeline), options_(options) {}

SqsBatchHandler::~SqsBatchHandler() {
  {
    std::lock_guard lock(tasks_mu_);
    stopping_ = true;
  }
  tasks_cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void SqsBatchHandler::Submit(std::function<void()> task) {
  // Threads start with the first batch: an API function never pays for them at cold start.
  if (threads_.empty()) {
    int n = std::max(1, options_.concurrency);
    threads_.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) threads_.emplace_back([this] { RunTasks(); });
  }
  {
    std::lock_guard lock(tasks_mu_);
    tasks_.push_back(std::move(task));
  }
  tasks_cv_.notify_one();
}

void SqsBatchHandler::RunTasks() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(tasks_mu_);
      tasks_cv_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;  // stopping, and nothing left
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

Result<SqsBatchReport> SqsBatchHandler::Handle(const json& event, int64_t deadline_ms) {
  auto records = event.find("Records");
  if (records == event.end() || !records->is_array()) {
    return Status::InvalidArgument("SQS event without Records");
  }
  std::vector<ReceivedMessage> messages;
  messages.reserve(records->size());
  for (const auto& r : *records) {
    auto m = MessageFromSqsRecord(r);
    if (!m.ok()) return m.status();
    messages.push_back(std::move(m).value());
  }

  // Records not started by the cutoff are not started at all; the answer goes out at it.
  const int64_t cutoff_ms =
      deadline_ms > 0 ? deadline_ms - options_.safety_margin.count() : INT64_MAX;
  auto batch = std::make_shared<BatchState>();
  batch->states.assign(messages.size(), RecordState::kPending);
  for (size_t i = 0; i < messages.size(); ++i) {
    Submit([this, batch, i, message = messages[i], cutoff_ms] {
      RecordState state = RecordState::kSkipped;
      if (NowMs() < cutoff_ms) {
        LogScope message_scope(LogField::kMessageId, message.message_id);
        JobResult r = RunJob(pipeline_, message, options_.max_attempts, options_.max_deferrals);
        LogScope job_scope(LogField::kJobId, r.job_id);
        state = SettleRecord(options_, message, r);
      }
      std::lock_guard lock(batch->mu);
      batch->states[i] = state;
      ++batch->finished;
      batch->finished_cv.notify_all();
    });
  }

  SqsBatchReport report;
  report.records = static_cast<int>(messages.size());
  json failures = json::array();
  {
    std::unique_lock lock(batch->mu);
    auto all_done = [&] { return batch->finished == messages.size(); };
    if (cutoff_ms == INT64_MAX) {
      batch->finished_cv.wait(lock, all_done);
    } else {
      auto until = std::chrono::system_clock::time_point(std::chrono::milliseconds(cutoff_ms));
      batch->finished_cv.wait_until(lock, until, all_done);
    }
    for (size_t i = 0; i < messages.size(); ++i) {
      RecordState s = batch->states[i];
      if (s == RecordState::kDeferred) ++report.deferred;
      if (s == RecordState::kSucceeded || s == RecordState::kDeferred) continue;
      if (s == RecordState::kPending || s == RecordState::kSkipped) ++report.unfinished;
      ++report.failed;
      failures.push_back({{"itemIdentifier", messages[i].message_id}});
    }
  }
  if (report.unfinished > 0) {
    spdlog::warn("{} of {} records unfinished at the deadline: reported as failures",
                 report.unfinished, report.records);
  }
  report.response = json{{"batchItemFailures", failures}}.dump();
  return report;
}

}  // namespace pictor::lambda
