#include "contract/job_ledger_contract.h"

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "fakes/job_records.h"

namespace pictor::testing {

void JobLedgerContract::SetUp() {
  auto opened = GetParam().open();
  ASSERT_TRUE(opened.ok()) << GetParam().name << ": " << opened.status().ToString();
  under_test_ = std::move(opened).value();
}

namespace {

const std::string kId1 = NumberedJobId(1);
const std::string kId2 = NumberedJobId(2);

}  // namespace

TEST_P(JobLedgerContract, CreateThenGetRoundTripsEveryField) {
  JobRecord record = SampleJobRecord(kId1, "idem-1");
  record.state = JobState::kRunning;
  record.error = "first try failed";
  record.attempts = 2;
  record.updated_ms = 1700000009999;
  auto created = ledger().Create(record);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_TRUE(created->created);
  EXPECT_EQ(created->record.id, kId1);
  auto got = ledger().Get(kId1);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->id, kId1);
  EXPECT_EQ(got->state, JobState::kRunning);
  EXPECT_EQ(got->prompt, "en katt på månen");
  EXPECT_EQ(got->seed, 42u);
  EXPECT_EQ(got->width, 512);
  EXPECT_EQ(got->height, 256);
  EXPECT_EQ(got->key, "generated_images/from_queue/x.png");
  EXPECT_EQ(got->error, "first try failed");
  EXPECT_EQ(got->attempts, 2);
  EXPECT_EQ(got->created_ms, 1700000000000);
  EXPECT_EQ(got->updated_ms, 1700000009999);
  EXPECT_EQ(got->idempotency_key, "idem-1");
  EXPECT_EQ(got->request_digest, "d1");
}

TEST_P(JobLedgerContract, MissingJobIsNotFound) {
  EXPECT_TRUE(ledger().Get(kId1).status().IsNotFound());
}

TEST_P(JobLedgerContract, SecondCreateWithTheSameKeyReturnsTheFirstJob) {
  ASSERT_TRUE(ledger().Create(SampleJobRecord(kId1, "same")).ok());
  JobRecord second = SampleJobRecord(kId2, "same");
  second.request_digest = "d2";
  auto again = ledger().Create(second);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->record.id, kId1);
  EXPECT_EQ(again->record.request_digest, "d1");  // the first request's, for the API to compare
  EXPECT_TRUE(ledger().Get(kId2).status().IsNotFound());
}

TEST_P(JobLedgerContract, JobsWithoutIdempotencyKeysDoNotCollide) {
  ASSERT_TRUE(ledger().Create(SampleJobRecord(kId1)).ok());
  auto second = ledger().Create(SampleJobRecord(kId2));
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE(second->created);
  EXPECT_TRUE(ledger().Get(kId1).ok());
  EXPECT_TRUE(ledger().Get(kId2).ok());
}

// queued → running → failed attempt → running → succeeded, as a worker writes them.
TEST_P(JobLedgerContract, EveryStateAWorkerWritesIsReadBack) {
  ASSERT_TRUE(ledger().Create(SampleJobRecord(kId1, "k")).ok());
  EXPECT_EQ(ledger().Get(kId1)->state, JobState::kQueued);
  JobRecord r = SampleJobRecord(kId1, "k");
  r.enqueued = true;
  r.state = JobState::kRunning;
  r.attempts = 1;
  ASSERT_TRUE(ledger().Put(r).ok());
  EXPECT_EQ(ledger().Get(kId1)->state, JobState::kRunning);
  r.state = JobState::kFailed;
  r.error = "model timed out";
  ASSERT_TRUE(ledger().Put(r).ok());
  auto failed = ledger().Get(kId1);
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->state, JobState::kFailed);
  EXPECT_EQ(failed->error, "model timed out");
  r.state = JobState::kSucceeded;
  r.attempts = 2;
  r.error.clear();
  ASSERT_TRUE(ledger().Put(r).ok());
  auto done = ledger().Get(kId1);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->state, JobState::kSucceeded);
  EXPECT_EQ(done->attempts, 2);
  EXPECT_EQ(done->error, "");
  // A replay of the key sees where the job is now.
  auto replay = ledger().Create(SampleJobRecord(kId2, "k"));
  ASSERT_TRUE(replay.ok());
  EXPECT_FALSE(replay->created);
  EXPECT_EQ(replay->record.state, JobState::kSucceeded);
}

// Workers record jobs nobody created through the API (a message sent with the AWS CLI).
TEST_P(JobLedgerContract, PutInsertsAJobNeverCreated) {
  JobRecord r = SampleJobRecord(kId1);
  r.state = JobState::kRunning;
  ASSERT_TRUE(ledger().Put(r).ok());
  auto got = ledger().Get(kId1);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->state, JobState::kRunning);
}

TEST_P(JobLedgerContract, RemoveForgetsTheJobAndReleasesItsKey) {
  ASSERT_TRUE(ledger().Create(SampleJobRecord(kId1, "k")).ok());
  ASSERT_TRUE(ledger().Remove(kId1).ok());
  EXPECT_TRUE(ledger().Get(kId1).status().IsNotFound());
  auto again = ledger().Create(SampleJobRecord(kId2, "k"));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->created);
  EXPECT_EQ(again->record.id, kId2);
}

TEST_P(JobLedgerContract, RemovingAnUnknownJobIsOk) { EXPECT_TRUE(ledger().Remove(kId1).ok()); }

// The mark is seen by a replay and never undoes a state a worker wrote meanwhile.
TEST_P(JobLedgerContract, EnqueuedMarkIsSeenByReplaysAndKeepsTheWorkersState) {
  auto created = ledger().Create(SampleJobRecord(kId1, "k"));
  ASSERT_TRUE(created.ok());
  EXPECT_FALSE(created->record.enqueued);
  auto unmarked = ledger().Create(SampleJobRecord(kId2, "k"));
  ASSERT_TRUE(unmarked.ok());
  EXPECT_FALSE(unmarked->record.enqueued);

  JobRecord running = SampleJobRecord(kId1, "k");
  running.state = JobState::kRunning;
  running.enqueued = true;
  ASSERT_TRUE(ledger().Put(running).ok());
  ASSERT_TRUE(ledger().MarkEnqueued(created->record).ok());
  EXPECT_EQ(ledger().Get(kId1)->state, JobState::kRunning);

  auto replay = ledger().Create(SampleJobRecord(kId2, "k"));
  ASSERT_TRUE(replay.ok());
  EXPECT_FALSE(replay->created);
  EXPECT_TRUE(replay->record.enqueued);
  EXPECT_EQ(replay->record.state, JobState::kRunning);
}

// The idempotency key's compare-and-set: of many creators racing with one key, exactly one
// creates a job and every other gets that job back.
TEST_P(JobLedgerContract, CreatorsRacingWithOneKeyMakeExactlyOneJob) {
  constexpr int kCreators = 16;
  std::vector<std::unique_ptr<JobLedger>> others;
  std::vector<JobLedger*> ledgers;
  for (int i = 0; i < kCreators; ++i) {
    // Half the creators use a ledger object of their own when the adapter has them.
    std::unique_ptr<JobLedger> other = i % 2 == 1 ? under_test_->OpenAnother() : nullptr;
    ledgers.push_back(other ? other.get() : &ledger());
    if (other) others.push_back(std::move(other));
  }
  std::atomic<int> ready{0};
  std::mutex mu;
  std::vector<JobLedger::CreateResult> results;  // guarded by mu
  std::vector<std::thread> creators;
  for (int i = 0; i < kCreators; ++i) {
    creators.emplace_back([&, i] {
      ready.fetch_add(1);
      while (ready.load() < kCreators) std::this_thread::yield();  // start together
      auto created = ledgers[i]->Create(SampleJobRecord(NumberedJobId(100 + i), "race"));
      ASSERT_TRUE(created.ok()) << created.status().ToString();
      std::lock_guard lock(mu);
      results.push_back(*created);
    });
  }
  for (auto& t : creators) t.join();
  ASSERT_EQ(results.size(), static_cast<size_t>(kCreators));
  int winners = 0;
  std::set<std::string> ids;
  for (const auto& r : results) {
    winners += r.created ? 1 : 0;
    ids.insert(r.record.id);
  }
  EXPECT_EQ(winners, 1);
  EXPECT_EQ(ids.size(), 1u) << "every creator must get the winner's job";
  EXPECT_TRUE(ledger().Get(*ids.begin()).ok());
}

}  // namespace pictor::testing
