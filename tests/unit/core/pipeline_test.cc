#include "core/pipeline.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>
#include <vector>

#include "fakes/fake_image_model.h"
#include "fakes/memory_spend_ledger.h"
#include "fakes/memory_store.h"
#include "ledger/sqlite/sqlite_ledger.h"
#include "pictor/job_ledger_wrapper.h"

namespace pictor {
namespace {

using testing::FakeImageModel;
using testing::MemorySpendLedger;
using testing::MemoryStore;

ReceivedMessage Message(std::string id, std::string body, int receive_count = 1) {
  ReceivedMessage m;
  m.message_id = std::move(id);
  m.receipt_handle = "h-" + m.message_id;
  m.body = std::move(body);
  m.receive_count = receive_count;
  m.sent_timestamp_ms = 1000;
  return m;
}

class PipelineTest : public ::testing::Test {
 protected:
  FakeImageModel model;
  MemoryStore store;
  Pipeline pipeline{model, store};
};

TEST(ImageKey, FollowsTheOriginalLayout) {
  EXPECT_EQ(ImageKey("cand", ImageOrigin::kApi, "titan", 42, "abc-1"),
            "cand/generated_images/titan_42_abc-1.png");
  EXPECT_EQ(ImageKey("cand/", ImageOrigin::kQueue, "titan", 42, "abc-1"),
            "cand/generated_images/from_queue/titan_42_abc-1.png");
  EXPECT_EQ(ImageKey("", ImageOrigin::kQueue, "builtin", 0, "m"),
            "generated_images/from_queue/builtin_0_m.png");
}

TEST(ImageKey, OddIdsAreHashedSoTwoJobsNeverShareAKey) {
  std::string a = ImageKey("", ImageOrigin::kQueue, "b", 1, "x/../y");
  std::string b = ImageKey("", ImageOrigin::kQueue, "b", 1, "x/../z");
  EXPECT_NE(a, b);
  EXPECT_TRUE(ValidateObjectKey(a).ok());
  EXPECT_EQ(a.find(".."), std::string::npos);
}

TEST_F(PipelineTest, RunJobStoresUnderTheQueueKeyWithSeedFromMessageId) {
  JobResult r = RunJob(pipeline, Message("m-1", "A cat"), 5);
  ASSERT_EQ(r.outcome, JobOutcome::kSucceeded) << r.error.ToString();
  EXPECT_EQ(r.key, ImageKey("", ImageOrigin::kQueue, "fake", DeriveSeed("m-1"), "m-1"));
  auto stored = store.Get(r.key);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->info.content_type, "image/png");
}

TEST_F(PipelineTest, RedeliveredJobReusesItsImageWithoutGeneratingAgain) {
  ASSERT_EQ(RunJob(pipeline, Message("m-1", "A cat"), 5).outcome, JobOutcome::kSucceeded);
  ASSERT_EQ(RunJob(pipeline, Message("m-1", "A cat", 2), 5).outcome, JobOutcome::kSucceeded);
  EXPECT_EQ(model.calls.load(), 1);
  EXPECT_EQ(store.size(), 1u);
}

TEST_F(PipelineTest, BadBodyIsDeadLetteredWithoutCallingTheModel) {
  JobResult r = RunJob(pipeline, Message("m-2", R"({"prompt":"x","size":9})"), 5);
  EXPECT_EQ(r.outcome, JobOutcome::kDeadLetter);
  EXPECT_EQ(r.error.reason(), "unknown_field");
  EXPECT_EQ(model.calls.load(), 0);
}

TEST_F(PipelineTest, ModelLimitsAreCheckedBeforeGenerating) {
  model.max_side = 256;
  JobResult r = RunJob(pipeline, Message("m-3", R"({"prompt":"x","width":512})"), 5);
  EXPECT_EQ(r.outcome, JobOutcome::kDeadLetter);
  EXPECT_EQ(model.calls.load(), 0);
}

TEST_F(PipelineTest, AttemptFailureIsRetriedUntilTheLastAttempt) {
  model.FailAlways(Status::DeadlineExceeded("too slow"));
  EXPECT_EQ(RunJob(pipeline, Message("m-4", "sol", 1), 3).outcome, JobOutcome::kRetry);
  EXPECT_EQ(RunJob(pipeline, Message("m-4", "sol", 2), 3).outcome, JobOutcome::kRetry);
  JobResult last = RunJob(pipeline, Message("m-4", "sol", 3), 3);
  EXPECT_EQ(last.outcome, JobOutcome::kDeadLetter);
  EXPECT_NE(last.error.message().find("gave up after 3 attempts"), std::string::npos);
}

TEST_F(PipelineTest, GivingUpKeepsThePeersAnswerOfTheLastFailure) {
  model.FailAlways(Status::DeadlineExceeded("too slow")
                       .WithPeer({.http_status = 504, .code = "GatewayTimeout"}));
  JobResult last = RunJob(pipeline, Message("m-4p", "sol", 3), 3);
  ASSERT_EQ(last.outcome, JobOutcome::kDeadLetter);
  EXPECT_EQ(last.error.code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(last.error.peer_http_status(), 504);
  EXPECT_EQ(last.error.peer_code(), "GatewayTimeout");
}

// A refused role, key or quota is the operator's to fix, not the job's: deferred, never
// dead-lettered for it, and the job succeeds once access is restored.
TEST_F(PipelineTest, RefusedCredentialsAreDeferredNotDeadLettered) {
  model.FailNext(Status::PermissionDenied("AccessDeniedException: not authorized to invoke"));
  JobResult r = RunJob(pipeline, Message("m-6", "elv", 5), 5);
  EXPECT_EQ(r.outcome, JobOutcome::kDefer);
  EXPECT_EQ(r.error.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(RunJob(pipeline, Message("m-6", "elv", 6), 5).outcome, JobOutcome::kSucceeded);
}

TEST_F(PipelineTest, StoreOutageIsDeferredNotRetried) {
  store.FailNextPuts(1);
  EXPECT_EQ(RunJob(pipeline, Message("m-5", "hus"), 5).outcome, JobOutcome::kDefer);
  EXPECT_EQ(RunJob(pipeline, Message("m-5", "hus", 2), 5).outcome, JobOutcome::kSucceeded);
}

TEST(ClassifyFault, SystemAttemptAndJobFaultsAreTheDocumentedCodes) {
  for (StatusCode c : {StatusCode::kResourceExhausted, StatusCode::kUnavailable,
                       StatusCode::kCancelled, StatusCode::kPermissionDenied}) {
    EXPECT_EQ(ClassifyFault(c), FaultOwner::kSystem) << StatusCodeName(c);
  }
  for (StatusCode c : {StatusCode::kDeadlineExceeded, StatusCode::kAborted}) {
    EXPECT_EQ(ClassifyFault(c), FaultOwner::kAttempt) << StatusCodeName(c);
  }
  for (StatusCode c :
       {StatusCode::kInvalidArgument, StatusCode::kNotFound, StatusCode::kAlreadyExists,
        StatusCode::kFailedPrecondition, StatusCode::kPayloadTooLarge, StatusCode::kUnsupported,
        StatusCode::kInternal, StatusCode::kDataLoss}) {
    EXPECT_EQ(ClassifyFault(c), FaultOwner::kJob) << StatusCodeName(c);
    EXPECT_FALSE(IsRetryableCode(c)) << StatusCodeName(c);
  }
}

// A full disk says nothing about the job: however often it was received or deferred, it is
// deferred again, never dead-lettered (until max_deferrals).
TEST_F(PipelineTest, FullDiskIsDeferredWhateverTheReceiveCount) {
  store.FailNextPuts(100, StatusCode::kResourceExhausted);
  ReceivedMessage m = Message("m-7", "fjell", /*receive_count=*/5);
  m.deferrals = 30;
  JobResult r = RunJob(pipeline, m, /*max_attempts=*/5);
  EXPECT_EQ(r.outcome, JobOutcome::kDefer);
  EXPECT_EQ(r.error.code(), StatusCode::kResourceExhausted);
  m.deferrals = 40;
  r = RunJob(pipeline, m, 5, /*max_deferrals=*/40);
  EXPECT_EQ(r.outcome, JobOutcome::kDeadLetter);
  EXPECT_NE(r.error.message().find("gave up after 40 deferrals"), std::string::npos)
      << r.error.message();
}

TEST_F(PipelineTest, ADeferredCopyKeepsTheKeyOfTheMessageFirstSent) {
  ReceivedMessage copy = Message("copy-2", "hav");
  copy.origin_message_id = "first-1";
  JobResult r = RunJob(pipeline, copy, 5);
  ASSERT_EQ(r.outcome, JobOutcome::kSucceeded);
  EXPECT_EQ(r.job_id, "first-1");
  EXPECT_EQ(r.key, RunJob(pipeline, Message("first-1", "hav"), 5).key);
}

TEST_F(PipelineTest, JsonJobIdAndSeedDecideTheKey) {
  JobResult r = RunJob(pipeline, Message("m-6", R"({"job_id":"job-9","prompt":"x","seed":7})"), 5);
  ASSERT_EQ(r.outcome, JobOutcome::kSucceeded);
  EXPECT_EQ(r.job_id, "job-9");
  EXPECT_EQ(r.key, "generated_images/from_queue/fake_7_job-9.png");
}

TEST_F(PipelineTest, GenerateAndStoreRecordsMetrics) {
  MetricsRegistry metrics;
  pipeline.metrics = &metrics;
  GenerationRequest req;
  req.prompt = "tre";
  ASSERT_TRUE(GenerateAndStore(pipeline, req, "k.png", false).ok());
  std::string text = metrics.RenderPrometheus();
  EXPECT_NE(text.find("pictor_generation_seconds_count{model=\"fake\",outcome=\"ok\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("pictor_store_seconds_count{outcome=\"ok\"} 1"), std::string::npos);
}

// Records the state of every record written.
class StateLog final : public JobLedgerWrapper {
 public:
  using JobLedgerWrapper::JobLedgerWrapper;
  Status Put(const JobRecord& record) override {
    {
      std::lock_guard lock(mu_);
      states_.push_back(record.state);
    }
    return target().Put(record);
  }
  std::vector<JobState> states() {
    std::lock_guard lock(mu_);
    return states_;
  }

 private:
  std::mutex mu_;  // guards states_
  std::vector<JobState> states_;
};

// A second message for a job already done (a POST /jobs replay that re-sent it, a deferred copy
// whose original was not deleted): no model call, no second image, and the job never shows as
// running again.
TEST_F(PipelineTest, DuplicateMessageOfAFinishedJobChangesNothing) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("pictor-pipeline-dup-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  {
    auto ledger = OpenSqliteLedger((dir / "jobs.db").string());
    ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
    StateLog log(**ledger);
    pipeline.ledger = &log;
    const std::string body = R"({"job_id":"0190-abc","prompt":"tind","seed":3})";
    ASSERT_EQ(RunJob(pipeline, Message("first", body), 5).outcome, JobOutcome::kSucceeded);
    const size_t objects = store.size();
    JobResult again = RunJob(pipeline, Message("duplicate", body), 5);
    EXPECT_EQ(again.outcome, JobOutcome::kSucceeded);
    EXPECT_EQ(model.calls.load(), 1);
    EXPECT_EQ(store.size(), objects);
    EXPECT_EQ(log.states(), (std::vector<JobState>{JobState::kRunning, JobState::kSucceeded,
                                                   JobState::kSucceeded}));
    auto job = log.Get("0190-abc");
    ASSERT_TRUE(job.ok());
    EXPECT_EQ(job->state, JobState::kSucceeded);
    EXPECT_TRUE(job->enqueued);
    pipeline.ledger = nullptr;
  }
  std::filesystem::remove_all(dir);
}

// Every option set to something other than its default. A new PipelineOptions field breaks the
// structured binding below on purpose: give it a value other than its default here, so that the
// tests below prove it travels with the options.
class NoOwnerBudgets final : public OwnerBudgets {
 public:
  Result<std::vector<Budget>> BudgetsOf(std::string_view) override { return std::vector<Budget>{}; }
};

class FixedClock final : public Clock {
 public:
  int64_t NowMs() const override { return 1; }
};

PipelineOptions EveryOptionSet(JobLedger* ledger, MetricsRegistry* metrics) {
  static MemorySpendLedger spend;
  static NoOwnerBudgets owner_budgets;
  static FixedClock clock;
  static JobObservers observers;
  PipelineOptions options;
  auto& [o_ledger, o_metrics, o_key_prefix, o_limits, o_job_size, o_model_label, o_spend, o_budgets,
         o_owner_budgets, o_clock, o_observer] = options;
  o_ledger = ledger;
  o_metrics = metrics;
  o_key_prefix = "cand";
  o_limits = RequestLimits{7, 96, 1024};
  o_job_size = RequestDefaults{128, 96};
  o_model_label = "bedrock:amazon.titan-image-generator-v2:0";
  o_spend = &spend;
  o_budgets = {Budget{5, BudgetPeriod::kMonth}};
  o_owner_budgets = &owner_budgets;
  o_clock = &clock;
  o_observer = &observers;

  const PipelineOptions defaults;
  const auto& [d_ledger, d_metrics, d_key_prefix, d_limits, d_job_size, d_model_label, d_spend,
               d_budgets, d_owner_budgets, d_clock, d_observer] = defaults;
  EXPECT_NE(o_ledger, d_ledger);
  EXPECT_NE(o_metrics, d_metrics);
  EXPECT_NE(o_key_prefix, d_key_prefix);
  EXPECT_NE(o_limits, d_limits);
  EXPECT_NE(o_job_size, d_job_size);
  EXPECT_NE(o_model_label, d_model_label);
  EXPECT_NE(o_spend, d_spend);
  EXPECT_NE(o_budgets, d_budgets);
  EXPECT_NE(o_owner_budgets, d_owner_budgets);
  EXPECT_NE(o_clock, d_clock);
  EXPECT_NE(o_observer, d_observer);
  return options;
}

// As the Lambda builds its pipeline over the timed model and store (app/cmd_lambda.cc).
TEST(PipelineOptions, APipelineOverOtherAdaptersCarriesEveryOption) {
  FakeImageModel model, timed_model;
  MemoryStore store, timed_store;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("pictor-pipeline-options-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  {
    auto ledger = OpenSqliteLedger((dir / "jobs.db").string());
    ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
    MetricsRegistry metrics;
    const Pipeline base(model, store, EveryOptionSet(ledger->get(), &metrics));
    const Pipeline over(timed_model, timed_store, base.options());
    EXPECT_EQ(over.options(), base.options());
    EXPECT_EQ(&over.model, &timed_model);
    EXPECT_EQ(&over.store, &timed_store);
  }
  std::filesystem::remove_all(dir);
}

// Remembers the size of the last request it was asked for.
class SizeRecordingModel final : public ImageModel {
 public:
  std::string Name() const override { return inner_.Name(); }
  Status Check(const GenerationRequest& request) const override { return inner_.Check(request); }
  double PriceUsd(const GenerationRequest& request) const override {
    return inner_.PriceUsd(request);
  }
  Result<GeneratedImage> Generate(const GenerationRequest& request) override {
    width = request.width;
    height = request.height;
    return inner_.Generate(request);
  }
  int width = 0;
  int height = 0;

 private:
  FakeImageModel inner_;
};

TEST(PipelineOptions, JobSizeIsTheSizeOfAQueueJobThatNamesNone) {
  SizeRecordingModel model;
  MemoryStore store;
  PipelineOptions options;
  EXPECT_EQ(options.job_size.width, kDefaultImageWidth);
  EXPECT_EQ(options.job_size.height, kDefaultImageHeight);
  options.job_size = RequestDefaults{96, 80};
  const Pipeline pipeline(model, store, options);
  JobResult r = RunJob(pipeline, Message("m-size", "A cat"), 5);
  ASSERT_EQ(r.outcome, JobOutcome::kSucceeded) << r.error.ToString();
  EXPECT_EQ(model.width, 96);
  EXPECT_EQ(model.height, 80);
}

}  // namespace
}  // namespace pictor
