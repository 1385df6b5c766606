#include "core/pipeline.h"

#include <gtest/gtest.h>

#include "fakes/fake_image_model.h"
#include "fakes/memory_store.h"

namespace pictor {
namespace {

using testing::FakeImageModel;
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

TEST_F(PipelineTest, RetryableFailureIsRetriedUntilTheLastAttempt) {
  model.FailAlways(Status::ResourceExhausted("throttled"));
  EXPECT_EQ(RunJob(pipeline, Message("m-4", "sol", 1), 3).outcome, JobOutcome::kRetry);
  EXPECT_EQ(RunJob(pipeline, Message("m-4", "sol", 2), 3).outcome, JobOutcome::kRetry);
  JobResult last = RunJob(pipeline, Message("m-4", "sol", 3), 3);
  EXPECT_EQ(last.outcome, JobOutcome::kDeadLetter);
  EXPECT_NE(last.error.message().find("gave up after 3 attempts"), std::string::npos);
}

TEST_F(PipelineTest, StoreFailureIsRetryable) {
  store.FailNextPuts(1);
  EXPECT_EQ(RunJob(pipeline, Message("m-5", "hus"), 5).outcome, JobOutcome::kRetry);
  EXPECT_EQ(RunJob(pipeline, Message("m-5", "hus", 2), 5).outcome, JobOutcome::kSucceeded);
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

}  // namespace
}  // namespace pictor
