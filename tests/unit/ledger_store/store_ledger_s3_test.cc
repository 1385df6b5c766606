// The store ledger on S3 (fauxqs on loopback): the bucket holds the records, and conditional
// writes decide which of several racing creators owns an Idempotency-Key.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "aws/aws_client.h"
#include "fakes/job_records.h"
#include "ledger/store/store_ledger.h"
#include "peers/fauxqs_s3.h"
#include "peers/peer_process.h"
#include "store/s3/s3_store.h"

namespace pictor {
namespace {

using testing::NumberedJobId;
using testing::SampleJobRecord;

class StoreLedgerS3Test : public testing::FauxqsS3Test {
 protected:
  std::string BucketStem() const override { return "pictor-ledger"; }

  void SetUp() override {
    FauxqsS3Test::SetUp();
    if (HasFatalFailure()) return;
    auto options = ParseS3Spec("s3://" + bucket_);
    ASSERT_TRUE(options.ok());
    auto store = OpenS3Store(*options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    auto ledger = OpenStoreLedger(*store_, "jobs");
    ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
    ledger_ = std::move(ledger).value();
  }

  std::unique_ptr<ObjectStore> store_;
  std::unique_ptr<JobLedger> ledger_;
};

TEST_F(StoreLedgerS3Test, AJobsLifeIsKeptInTheBucket) {
  const std::string id = NumberedJobId(1);
  auto created = ledger_->Create(SampleJobRecord(id, "order-1"));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_TRUE(created->created);
  EXPECT_TRUE(store_->Head("jobs/" + id + ".json").ok());

  JobRecord done = SampleJobRecord(id, "order-1");
  done.state = JobState::kSucceeded;
  done.attempts = 1;
  ASSERT_TRUE(ledger_->Put(done).ok());
  auto got = ledger_->Get(id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->state, JobState::kSucceeded);
  EXPECT_EQ(got->prompt, "en katt på månen");

  auto replay = ledger_->Create(SampleJobRecord(NumberedJobId(2), "order-1"));
  ASSERT_TRUE(replay.ok()) << replay.status().ToString();
  EXPECT_FALSE(replay->created);
  EXPECT_EQ(replay->record.id, id);
  EXPECT_EQ(replay->record.state, JobState::kSucceeded);

  ASSERT_TRUE(ledger_->Remove(id).ok());
  EXPECT_TRUE(ledger_->Get(id).status().IsNotFound());
  auto listed = store_->List("jobs/", 10);
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty());
}

TEST_F(StoreLedgerS3Test, CreatorsRacingWithOneKeyMakeOneJob) {
  constexpr int kThreads = 12;
  std::vector<Result<JobLedger::CreateResult>> results(kThreads, Status::Internal("not run"));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      results[static_cast<size_t>(t)] =
          ledger_->Create(SampleJobRecord(NumberedJobId(t), "contended"));
    });
  }
  for (auto& thread : threads) thread.join();
  int created = 0;
  std::set<std::string> ids;
  for (const auto& result : results) {
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    created += result->created ? 1 : 0;
    ids.insert(result->record.id);
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(ids.size(), 1u);
  auto listed = store_->List("jobs/", 100);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 3u);  // one job, one claim, one index entry
}

TEST_F(StoreLedgerS3Test, AnObjectThatIsNotARecordIsDataLoss) {
  const std::string id = NumberedJobId(9);
  ASSERT_TRUE(store_->Put("jobs/" + id + ".json", "<html>not a record</html>", "text/html").ok());
  EXPECT_EQ(ledger_->Get(id).status().code(), StatusCode::kDataLoss);
  EXPECT_TRUE(ledger_->Get("../../x").status().IsNotFound());
}

}  // namespace
}  // namespace pictor
