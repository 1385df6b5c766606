// The Lambda SQS handler under faults of the system: a record that failed only because the
// system is at fault (a full disk) is deferred through the queue, not reported as a
// batchItemFailure, which would use up one of its receives.
#include "lambda/sqs_batch.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <mutex>
#include <vector>

#include "fakes/fake_image_model.h"
#include "fakes/memory_store.h"
#include "pictor/job_queue_wrapper.h"
#include "queue/sqlite/sqlite_queue.h"

namespace pictor::lambda {
namespace {

using nlohmann::json;
using pictor::testing::FakeImageModel;
using pictor::testing::MemoryStore;

// Records each Defer and answers it with `answer`.
class DeferRecorder final : public pictor::JobQueueWrapper {
 public:
  using JobQueueWrapper::JobQueueWrapper;
  Status Defer(const ReceivedMessage& message, std::chrono::seconds delay) override {
    std::lock_guard lock(mu);
    deferred.emplace_back(message, delay);
    return answer;
  }
  std::mutex mu;  // guards deferred
  std::vector<std::pair<ReceivedMessage, std::chrono::seconds>> deferred;
  Status answer;
};

json Record(const std::string& id, const std::string& body, int deferrals = 0) {
  json r = {{"messageId", id},
            {"receiptHandle", "rh-" + id},
            {"body", body},
            {"attributes", {{"ApproximateReceiveCount", "4"}, {"SentTimestamp", "1000"}}}};
  if (deferrals > 0) {
    r["messageAttributes"] = {
        {"pictor.deferrals", {{"stringValue", std::to_string(deferrals)}, {"dataType", "String"}}},
        {"pictor.origin_message_id", {{"stringValue", "first-" + id}, {"dataType", "String"}}}};
  }
  return r;
}

class SqsBatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pictor-sqs-batch-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    SqliteQueueOptions qo;
    qo.path = (dir_ / "q.db").string();
    base_ = OpenSqliteQueue(qo).value();
    queue_ = std::make_unique<DeferRecorder>(*base_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  SqsBatchOptions Options(JobQueue* queue) {
    SqsBatchOptions o;
    o.concurrency = 2;
    o.queue = queue;
    o.random01 = [] { return 1.0; };
    return o;
  }

  std::filesystem::path dir_;
  FakeImageModel model_;
  MemoryStore store_;
  Pipeline pipeline_{model_, store_};
  std::unique_ptr<JobQueue> base_;
  std::unique_ptr<DeferRecorder> queue_;
};

TEST_F(SqsBatchTest, FullDiskRecordIsDeferredNotFailed) {
  store_.FailNextPuts(1, StatusCode::kResourceExhausted);
  SqsBatchHandler handler(pipeline_, Options(queue_.get()));
  auto report = handler.Handle(json{{"Records", {Record("m1", "fjell", /*deferrals=*/3)}}}, 0);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(json::parse(report->response), json::parse(R"({"batchItemFailures":[]})"));
  EXPECT_EQ(report->failed, 0);
  EXPECT_EQ(report->deferred, 1);
  ASSERT_EQ(queue_->deferred.size(), 1u);
  const auto& [message, delay] = queue_->deferred[0];
  EXPECT_EQ(message.receipt_handle, "rh-m1");
  EXPECT_EQ(message.deferrals, 3);
  EXPECT_EQ(message.origin_message_id, "first-m1");
  EXPECT_EQ(delay, std::chrono::seconds(240));  // the 4th deferral: 30 s doubled three times
}

TEST_F(SqsBatchTest, WithoutAQueueAFullDiskRecordIsReportedFailed) {
  store_.FailNextPuts(1, StatusCode::kResourceExhausted);
  SqsBatchHandler handler(pipeline_, Options(nullptr));
  auto report = handler.Handle(json{{"Records", {Record("m1", "fjell")}}}, 0);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(json::parse(report->response)["batchItemFailures"],
            json::parse(R"([{"itemIdentifier":"m1"}])"));
  EXPECT_EQ(report->deferred, 0);
}

TEST_F(SqsBatchTest, ARecordWhoseDeferralFailsIsReportedFailed) {
  store_.FailNextPuts(1, StatusCode::kUnavailable);
  queue_->answer = Status::Unavailable("sqs down too");
  SqsBatchHandler handler(pipeline_, Options(queue_.get()));
  auto report = handler.Handle(json{{"Records", {Record("m1", "fjell"), Record("m2", "hav")}}}, 0);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->failed, 1);
  EXPECT_EQ(report->deferred, 0);
  EXPECT_EQ(queue_->deferred.size(), 1u);
}

// A job's own fault is not deferred: it fails (and the redrive policy dead-letters it).
TEST_F(SqsBatchTest, ABadJobIsNeverDeferred) {
  SqsBatchHandler handler(pipeline_, Options(queue_.get()));
  auto report = handler.Handle(json{{"Records", {Record("m1", R"({"prompt":""})")}}}, 0);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->failed, 1);
  EXPECT_TRUE(queue_->deferred.empty());
}

TEST(MessageFromSqsRecordDeferrals, AbsentOrMalformedCountsAreZero) {
  json r = Record("m1", "x", 2);
  EXPECT_EQ(MessageFromSqsRecord(r)->deferrals, 2);
  r["messageAttributes"]["pictor.deferrals"]["stringValue"] = "two";
  EXPECT_EQ(MessageFromSqsRecord(r)->deferrals, 0);
  EXPECT_EQ(MessageFromSqsRecord(Record("m2", "x"))->deferrals, 0);
  EXPECT_EQ(MessageFromSqsRecord(Record("m2", "x"))->origin_message_id, "");
}

}  // namespace
}  // namespace pictor::lambda
