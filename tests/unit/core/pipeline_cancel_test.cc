// RunJob and a job's cancellation (JobLedger::RequestCancel): a job cancelled while queued is
// never generated, one cancelled while it runs stores no image, one whose image is stored stays
// succeeded; and what RunJob records of a job for people (negative prompt, model, timings), told
// to the pipeline's observer state by state.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/job_observer.h"
#include "core/pipeline.h"
#include "fakes/fake_image_model.h"
#include "fakes/memory_ledger.h"
#include "fakes/memory_spend_ledger.h"
#include "fakes/memory_store.h"
#include "pictor/job_ledger_wrapper.h"
#include "pictor/object_store_wrapper.h"

namespace pictor {
namespace {

using namespace std::chrono_literals;
using testing::FakeImageModel;
using testing::MemoryLedger;
using testing::MemorySpendLedger;
using testing::MemoryStore;

constexpr char kJobId[] = "0190-job";

// The message POST /jobs queues for kJobId.
ReceivedMessage JobMessage(int receive_count = 1) {
  ReceivedMessage m;
  m.message_id = "m-" + std::to_string(receive_count);
  m.receipt_handle = "h-" + m.message_id;
  m.body = R"({"job_id":"0190-job","negative_prompt":"fog","prompt":"a fjord","seed":5})";
  m.receive_count = receive_count;
  m.sent_timestamp_ms = 1000;
  return m;
}

// The states the observer was told, in order.
class StateLog final : public JobObserver {
 public:
  void JobChanged(const JobRecord& record) override {
    std::lock_guard lock(mu_);
    states_.push_back(record.state);
  }
  std::vector<JobState> states() {
    std::lock_guard lock(mu_);
    return states_;
  }

 private:
  std::mutex mu_;  // guards states_
  std::vector<JobState> states_;
};

class PipelineCancelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    model.price_usd = 0.04;
    pipeline.ledger = &ledger;
    pipeline.spend = &spend;
    pipeline.observer = &log;
    pipeline.model_label = "fake:v2";
    JobRecord queued;  // as POST /jobs records it
    queued.id = kJobId;
    queued.prompt = "a fjord";
    queued.seed = 5;
    queued.created_ms = queued.updated_ms = 900;
    queued.owner = "ci-bot";
    ASSERT_TRUE(ledger.Create(queued).ok());
  }

  JobRecord Job() {
    auto job = ledger.Get(kJobId);
    EXPECT_TRUE(job.ok()) << job.status().ToString();
    return job.ok() ? *job : JobRecord{};
  }

  // Runs the job's message while the model holds its generation; `during` runs then.
  JobResult RunWhileGenerating(const std::function<void()>& during, Pipeline& p) {
    model.Hold();
    JobResult result;
    std::thread worker([&] { result = RunJob(p, JobMessage(), 5); });
    EXPECT_TRUE(model.WaitForHeld(1, 10s));
    during();
    model.Release();
    worker.join();
    return result;
  }

  FakeImageModel model;
  MemoryStore store;
  MemoryLedger ledger;
  MemorySpendLedger spend;
  StateLog log;
  Pipeline pipeline{model, store};
};

TEST_F(PipelineCancelTest, AJobCancelledWhileQueuedIsNeverGenerated) {
  ASSERT_EQ(ledger.RequestCancel(kJobId)->state, JobState::kCancelled);
  JobResult r = RunJob(pipeline, JobMessage(), 5);
  EXPECT_EQ(r.outcome, JobOutcome::kCancelled);
  EXPECT_EQ(model.calls.load(), 0);
  EXPECT_EQ(store.size(), 0u);
  EXPECT_TRUE(spend.charges().empty());  // nothing was spent
  JobRecord job = Job();
  EXPECT_EQ(job.state, JobState::kCancelled);
  EXPECT_GT(job.finished_ms, 0);
  EXPECT_EQ(job.started_ms, 0);
  EXPECT_EQ(log.states(), std::vector<JobState>{JobState::kCancelled});
}

TEST_F(PipelineCancelTest, ADuplicateMessageOfACancelledJobIsDeletedToo) {
  ASSERT_TRUE(ledger.RequestCancel(kJobId).ok());
  ASSERT_EQ(RunJob(pipeline, JobMessage(1), 5).outcome, JobOutcome::kCancelled);
  EXPECT_EQ(RunJob(pipeline, JobMessage(2), 5).outcome, JobOutcome::kCancelled);
  EXPECT_EQ(model.calls.load(), 0);
  EXPECT_EQ(Job().state, JobState::kCancelled);
}

TEST_F(PipelineCancelTest, AJobCancelledWhileRunningStoresNoImageAndStaysCharged) {
  JobResult r = RunWhileGenerating(
      [&] {
        auto running = ledger.RequestCancel(kJobId);
        ASSERT_TRUE(running.ok());
        EXPECT_EQ(running->state, JobState::kRunning);  // the worker finishes it
        EXPECT_TRUE(running->cancel_requested);
      },
      pipeline);
  EXPECT_EQ(r.outcome, JobOutcome::kCancelled);
  EXPECT_EQ(model.calls.load(), 1);
  EXPECT_EQ(store.size(), 0u);
  ASSERT_EQ(spend.charges().size(), 1u);  // the model was paid: no refund
  EXPECT_EQ(spend.charges()[0].owner, "ci-bot");
  JobRecord job = Job();
  EXPECT_EQ(job.state, JobState::kCancelled);
  EXPECT_DOUBLE_EQ(job.cost_usd, 0.04);
  EXPECT_GT(job.started_ms, 0);
  EXPECT_GE(job.finished_ms, job.started_ms);
  EXPECT_EQ(log.states(), (std::vector<JobState>{JobState::kRunning, JobState::kCancelled}));
}

TEST_F(PipelineCancelTest, AFailedAttemptOfAJobCancelledWhileRunningIsNotRetried) {
  JobResult r = RunWhileGenerating(
      [&] {
        ASSERT_TRUE(ledger.RequestCancel(kJobId).ok());
        model.FailNext(Status::DeadlineExceeded("the model took too long"));
      },
      pipeline);
  EXPECT_EQ(r.outcome, JobOutcome::kCancelled);
  JobRecord job = Job();
  EXPECT_EQ(job.state, JobState::kCancelled);
  EXPECT_NE(job.error.find("took too long"), std::string::npos);  // what happened, for people
  EXPECT_TRUE(spend.charges().empty());                           // no image: refunded
}

// Cancels the job as a worker writes it "running": after the worker's first read, before the
// model is called.
class CancelWhenRunning final : public JobLedgerWrapper {
 public:
  using JobLedgerWrapper::JobLedgerWrapper;
  Status Put(const JobRecord& record) override {
    Status s = target().Put(record);
    if (record.state == JobState::kRunning) (void)target().RequestCancel(record.id);
    return s;
  }
};

TEST_F(PipelineCancelTest, ACancellationThatLandsAsTheWorkerTakesTheJobStillStopsTheModel) {
  CancelWhenRunning cancelling(ledger);
  pipeline.ledger = &cancelling;
  EXPECT_EQ(RunJob(pipeline, JobMessage(), 5).outcome, JobOutcome::kCancelled);
  EXPECT_EQ(model.calls.load(), 0);
  EXPECT_TRUE(spend.charges().empty());
  EXPECT_EQ(Job().state, JobState::kCancelled);
}

// Cancels the job while its image is being stored: too late, the image is there.
class CancellingStore final : public ObjectStoreWrapper {
 public:
  CancellingStore(ObjectStore& target, JobLedger& ledger)
      : ObjectStoreWrapper(target), ledger_(ledger) {}
  Status Put(std::string_view key, std::string_view data, std::string_view content_type) override {
    Status s = target().Put(key, data, content_type);
    (void)ledger_.RequestCancel(kJobId);
    return s;
  }

 private:
  JobLedger& ledger_;
};

TEST_F(PipelineCancelTest, AJobCancelledOnceItsImageIsStoredSucceeds) {
  CancellingStore cancelling(store, ledger);
  Pipeline p(model, cancelling, pipeline.options());
  EXPECT_EQ(RunJob(p, JobMessage(1), 5).outcome, JobOutcome::kSucceeded);
  EXPECT_EQ(store.size(), 1u);
  JobRecord job = Job();
  EXPECT_EQ(job.state, JobState::kSucceeded);
  EXPECT_TRUE(job.cancel_requested);
  // A duplicate delivery of the succeeded job stays succeeded and calls nothing.
  EXPECT_EQ(RunJob(p, JobMessage(2), 5).outcome, JobOutcome::kSucceeded);
  EXPECT_EQ(model.calls.load(), 1);
  EXPECT_EQ(Job().state, JobState::kSucceeded);
}

// A worker stored the image and stopped before recording it; the cancellation came after.
TEST_F(PipelineCancelTest, ARedeliveredJobWhoseImageIsStoredSucceedsDespiteACancellation) {
  ASSERT_EQ(RunJob(pipeline, JobMessage(1), 5).outcome, JobOutcome::kSucceeded);
  JobRecord running = Job();
  running.state = JobState::kRunning;  // as the stopped worker left it
  ASSERT_TRUE(ledger.Put(running).ok());
  ASSERT_EQ(ledger.RequestCancel(kJobId)->state, JobState::kRunning);
  EXPECT_EQ(RunJob(pipeline, JobMessage(2), 5).outcome, JobOutcome::kSucceeded);
  EXPECT_EQ(model.calls.load(), 1);
  EXPECT_EQ(Job().state, JobState::kSucceeded);
}

TEST_F(PipelineCancelTest, TheRecordKeepsWhatAPersonWantsToSeeAgain) {
  model.delay = 20ms;
  ASSERT_EQ(RunJob(pipeline, JobMessage(), 5).outcome, JobOutcome::kSucceeded);
  JobRecord job = Job();
  EXPECT_EQ(job.prompt, "a fjord");
  EXPECT_EQ(job.negative_prompt, "fog");
  EXPECT_EQ(job.seed, 5u);
  EXPECT_EQ(job.model, "fake:v2");
  EXPECT_EQ(job.owner, "ci-bot");
  EXPECT_EQ(job.created_ms, 900);  // as POST /jobs recorded it
  EXPECT_GE(job.started_ms, job.created_ms);
  EXPECT_GE(job.finished_ms, job.started_ms);
  EXPECT_GE(job.generation_ms, 20);
  EXPECT_LE(job.generation_ms, job.finished_ms - job.started_ms);
  EXPECT_DOUBLE_EQ(job.cost_usd, 0.04);
  EXPECT_EQ(log.states(), (std::vector<JobState>{JobState::kRunning, JobState::kSucceeded}));
}

TEST_F(PipelineCancelTest, ARetriedJobIsNotFinished) {
  model.FailNext(Status::DeadlineExceeded("slow"));
  ASSERT_EQ(RunJob(pipeline, JobMessage(1), 5).outcome, JobOutcome::kRetry);
  JobRecord job = Job();
  EXPECT_EQ(job.state, JobState::kQueued);
  EXPECT_EQ(job.finished_ms, 0);
  EXPECT_EQ(log.states(), (std::vector<JobState>{JobState::kRunning, JobState::kQueued}));
}

}  // namespace
}  // namespace pictor

namespace pictor {
namespace {

// What the observer was told of each change: the state and the webhook delivery it carried.
class DeliveryLog final : public JobObserver {
 public:
  void JobChanged(const JobRecord& record) override {
    std::lock_guard lock(mu_);
    seen_.emplace_back(record.state, record.webhook.state);
  }
  std::vector<std::pair<JobState, std::string>> seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }

 private:
  std::mutex mu_;  // guards seen_
  std::vector<std::pair<JobState, std::string>> seen_;
};

// A failed job whose failure was reported, run again from its re-driven message, is reported
// again when it succeeds: the observer (the webhooks) is told of the new final state with no
// delivery on it, which is what starts one.
TEST(PipelineRedrive, AFailedJobRunAgainStartsANewWebhookDelivery) {
  FakeImageModel model;
  MemoryStore store;
  MemoryLedger ledger;
  DeliveryLog log;
  Pipeline pipeline{model, store};
  pipeline.ledger = &ledger;
  pipeline.observer = &log;
  JobRecord failed;
  failed.id = kJobId;
  failed.prompt = "a fjord";
  failed.state = JobState::kFailed;
  failed.error = "gave up after 5 attempts";
  failed.created_ms = failed.updated_ms = failed.finished_ms = 900;
  failed.webhook_url = "https://hooks.example/pictor";
  failed.webhook.state = "delivered";  // the failure was reported
  failed.webhook.attempts = 1;
  failed.webhook.last_status = 200;
  ASSERT_TRUE(ledger.Put(failed).ok());

  JobResult r = RunJob(pipeline, JobMessage(), 5);
  ASSERT_EQ(r.outcome, JobOutcome::kSucceeded) << r.error.ToString();
  using Seen = std::pair<JobState, std::string>;
  EXPECT_EQ(log.seen(), (std::vector<Seen>{{JobState::kRunning, ""}, {JobState::kSucceeded, ""}}));

  // A duplicate of the message now finds the success reported: nothing starts again.
  JobRecord reported = ledger.Get(kJobId).value();
  reported.webhook.state = "delivered";
  ASSERT_TRUE(ledger.Put(reported).ok());
  ASSERT_EQ(RunJob(pipeline, JobMessage(2), 5).outcome, JobOutcome::kSucceeded);
  EXPECT_EQ(log.seen().back(), (Seen{JobState::kSucceeded, "delivered"}));
}

}  // namespace
}  // namespace pictor
