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

// The fields added for people looking at their history (negative prompt, timings, webhook) and
// for keys and spend (owner, model, cost) come back as written.
TEST_P(JobLedgerContract, EveryLaterFieldRoundTrips) {
  JobRecord r = SampleJobRecord(kId1, "later");
  r.state = JobState::kSucceeded;
  r.owner = "ci-bot";
  r.model = "builtin";
  r.cost_usd = 0.04;
  r.negative_prompt = "tåke, blur";
  r.started_ms = 1700000001000;
  r.finished_ms = 1700000002500;
  r.generation_ms = 1234;
  r.webhook_url = "https://hooks.example.com/pictor?x=1";
  r.webhook.state = "delivered";
  r.webhook.attempts = 3;
  r.webhook.last_status = 204;
  r.webhook.last_attempt_ms = 1700000003000;
  r.webhook.last_error = "";
  ASSERT_TRUE(ledger().Put(r).ok());
  auto got = ledger().Get(kId1);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->owner, "ci-bot");
  EXPECT_EQ(got->model, "builtin");
  EXPECT_DOUBLE_EQ(got->cost_usd, 0.04);
  EXPECT_EQ(got->negative_prompt, "tåke, blur");
  EXPECT_EQ(got->started_ms, 1700000001000);
  EXPECT_EQ(got->finished_ms, 1700000002500);
  EXPECT_EQ(got->generation_ms, 1234);
  EXPECT_EQ(got->webhook_url, "https://hooks.example.com/pictor?x=1");
  EXPECT_EQ(got->webhook, r.webhook);
  EXPECT_FALSE(got->cancel_requested);
}

TEST_P(JobLedgerContract, CancellingAnUnknownJobIsNotFound) {
  EXPECT_TRUE(ledger().RequestCancel(kId1).status().IsNotFound());
  WebhookDelivery d;
  d.state = "pending";
  EXPECT_TRUE(ledger().SetWebhookDelivery(kId1, d).IsNotFound());
}

// A queued job reads as cancelled at once (also one the group commit has not written yet), on
// every ledger object sharing the storage, and in List's state filter; asking again is harmless.
TEST_P(JobLedgerContract, ACancelledQueuedJobReadsCancelledEverywhere) {
  ASSERT_TRUE(ledger().Create(SampleJobRecord(kId1)).ok());
  // With a key: durable when Create returns, so another ledger object sees it at once.
  ASSERT_TRUE(ledger().Create(SampleJobRecord(kId2, "k2")).ok());
  auto cancelled = ledger().RequestCancel(kId1);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status().ToString();
  EXPECT_EQ(cancelled->state, JobState::kCancelled);
  EXPECT_TRUE(cancelled->cancel_requested);
  EXPECT_EQ(cancelled->prompt, "en katt på månen");
  auto again = ledger().RequestCancel(kId1);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->state, JobState::kCancelled);

  std::unique_ptr<JobLedger> other = under_test_->OpenAnother();
  for (JobLedger* l : {&ledger(), other.get()}) {
    if (l == nullptr) continue;
    auto got = l->Get(kId1);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(got->state, JobState::kCancelled);
    EXPECT_EQ(l->Get(kId2)->state, JobState::kQueued);
    JobQuery query;
    query.state = JobState::kCancelled;
    auto listed = l->List(query);
    ASSERT_TRUE(listed.ok()) << listed.status().ToString();
    ASSERT_EQ(listed->jobs.size(), 1u);
    EXPECT_EQ(listed->jobs[0].id, kId1);
    query.state = JobState::kQueued;
    listed = l->List(query);
    ASSERT_TRUE(listed.ok()) << listed.status().ToString();
    ASSERT_EQ(listed->jobs.size(), 1u);
    EXPECT_EQ(listed->jobs[0].id, kId2);
  }
}

// A worker that took the job before the cancellation writes "running" over it: the request
// survives, for the worker to see before it stores the image, and the worker's final state
// is what the job then reads.
TEST_P(JobLedgerContract, ACancellationSurvivesAWorkersPut) {
  ASSERT_TRUE(ledger().Create(SampleJobRecord(kId1, "k")).ok());
  ASSERT_TRUE(ledger().RequestCancel(kId1).ok());
  JobRecord running = SampleJobRecord(kId1, "k");
  running.state = JobState::kRunning;
  running.enqueued = true;
  ASSERT_TRUE(ledger().Put(running).ok());
  auto got = ledger().Get(kId1);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->state, JobState::kRunning);
  EXPECT_TRUE(got->cancel_requested);
  running.state = JobState::kCancelled;
  ASSERT_TRUE(ledger().Put(running).ok());
  EXPECT_EQ(ledger().Get(kId1)->state, JobState::kCancelled);
  // A running job's request is also seen by the replay of its key.
  auto replay = ledger().Create(SampleJobRecord(kId2, "k"));
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->record.state, JobState::kCancelled);
}

TEST_P(JobLedgerContract, AFinishedJobStaysFinishedWhenCancelled) {
  JobRecord done = SampleJobRecord(kId1);
  done.state = JobState::kSucceeded;
  ASSERT_TRUE(ledger().Put(done).ok());
  auto cancelled = ledger().RequestCancel(kId1);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status().ToString();
  EXPECT_EQ(cancelled->state, JobState::kSucceeded);
  EXPECT_EQ(ledger().Get(kId1)->state, JobState::kSucceeded);
}

TEST_P(JobLedgerContract, WebhookDeliveryChangesNothingElse) {
  JobRecord done = SampleJobRecord(kId1);
  done.state = JobState::kFailed;
  done.error = "the model refused";
  done.webhook_url = "https://hooks.example.com/a";
  ASSERT_TRUE(ledger().Put(done).ok());
  WebhookDelivery d;
  d.state = "pending";
  d.attempts = 2;
  d.last_status = 503;
  d.last_attempt_ms = 1700000005000;
  d.last_error = "answered 503";
  ASSERT_TRUE(ledger().SetWebhookDelivery(kId1, d).ok());
  auto got = ledger().Get(kId1);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->webhook, d);
  EXPECT_EQ(got->state, JobState::kFailed);
  EXPECT_EQ(got->error, "the model refused");
  EXPECT_EQ(got->webhook_url, "https://hooks.example.com/a");
  // A job created a moment ago (still in a group commit) takes a delivery too.
  ASSERT_TRUE(ledger().Create(SampleJobRecord(kId2)).ok());
  ASSERT_TRUE(ledger().SetWebhookDelivery(kId2, d).ok());
  EXPECT_EQ(ledger().Get(kId2)->webhook, d);
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
