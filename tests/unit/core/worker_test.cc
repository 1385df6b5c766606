#include "core/worker.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>
#include <thread>

#include "fakes/fake_image_model.h"
#include "fakes/memory_spend_ledger.h"
#include "fakes/memory_store.h"
#include "ledger/sqlite/sqlite_ledger.h"
#include "pictor/job_queue_wrapper.h"
#include "queue/sqlite/sqlite_queue.h"

namespace pictor {
namespace {

using testing::FakeImageModel;
using testing::MemorySpendLedger;
using testing::MemoryStore;

// Polls `done` until it holds or `limit` passes.
template <typename F>
bool WaitFor(F done, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

class WorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pictor-worker-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    options_.path = (dir_ / "queue.db").string();
    options_.max_receive_count = 3;
    auto q = OpenSqliteQueue(options_);
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    queue_ = std::move(q).value();
    auto l = OpenSqliteLedger((dir_ / "jobs.db").string());
    ASSERT_TRUE(l.ok());
    ledger_ = std::move(l).value();
    pipeline_.ledger = ledger_.get();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Send(const std::string& body) {
    ASSERT_TRUE(queue_->Send(OutgoingMessage{body, std::chrono::seconds(0)}).ok());
  }
  QueueAttributes Attrs() { return queue_->Attributes().value(); }
  WorkerOptions Options() {
    WorkerOptions o;
    o.concurrency = 4;
    o.poll_wait = std::chrono::milliseconds(100);
    o.max_attempts = 3;
    o.retry_backoff = {std::chrono::milliseconds(0), std::chrono::milliseconds(0)};
    return o;
  }

  std::filesystem::path dir_;
  SqliteQueueOptions options_;
  std::unique_ptr<JobQueue> queue_;
  std::unique_ptr<JobLedger> ledger_;
  FakeImageModel model_;
  MemoryStore store_;
  Pipeline pipeline_{model_, store_};
};

TEST_F(WorkerTest, DrainsTheQueueStoringOneImagePerMessage) {
  for (int i = 0; i < 50; ++i) Send("prompt " + std::to_string(i));
  Worker worker(*queue_, pipeline_, Options());
  worker.Start();
  ASSERT_TRUE(WaitFor([&] { return worker.succeeded() == 50; }));
  worker.RequestStop();
  worker.Join();
  EXPECT_EQ(store_.size(), 50u);
  QueueAttributes a = Attrs();
  EXPECT_EQ(a.visible + a.in_flight, 0);
}

TEST_F(WorkerTest, KeepsAtMostConcurrencyJobsInFlight) {
  model_.delay = std::chrono::milliseconds(50);
  for (int i = 0; i < 12; ++i) Send("p" + std::to_string(i));
  WorkerOptions o = Options();
  o.concurrency = 3;
  Worker worker(*queue_, pipeline_, o);
  worker.Start();
  int64_t max_in_flight = 0;
  ASSERT_TRUE(WaitFor([&] {
    max_in_flight = std::max(max_in_flight, Attrs().in_flight);
    return worker.succeeded() == 12;
  }));
  EXPECT_LE(max_in_flight, 3);
  EXPECT_GE(max_in_flight, 1);
}

TEST_F(WorkerTest, RetriesATransientFailureAndSucceeds) {
  model_.FailNext(Status::DeadlineExceeded("model too slow"));
  Send("katt");
  Worker worker(*queue_, pipeline_, Options());
  worker.Start();
  ASSERT_TRUE(WaitFor([&] { return worker.succeeded() == 1; }));
  EXPECT_EQ(worker.retried(), 1);
  EXPECT_EQ(model_.calls.load(), 2);
}

TEST_F(WorkerTest, DeadLettersAPermanentFailureAtOnceWithTheReason) {
  Send(R"({"prompt": "x", "colour": "red"})");
  Send("good one");
  Worker worker(*queue_, pipeline_, Options());
  worker.Start();
  ASSERT_TRUE(WaitFor([&] { return worker.dead_lettered() == 1 && worker.succeeded() == 1; }));
  worker.RequestStop();
  worker.Join();
  auto dead = ListDeadLetters(options_);
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].receive_count, 1);
  EXPECT_NE((*dead)[0].reason.find("unknown field 'colour'"), std::string::npos)
      << (*dead)[0].reason;
  auto job = ledger_->Get((*dead)[0].message_id);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->state, JobState::kFailed);
}

TEST_F(WorkerTest, GivesUpAfterMaxAttemptsOfTransientFailures) {
  model_.FailAlways(Status::DeadlineExceeded("too slow"));
  Send("sol");
  Worker worker(*queue_, pipeline_, Options());
  worker.Start();
  ASSERT_TRUE(WaitFor([&] { return worker.dead_lettered() == 1; }));
  EXPECT_EQ(model_.calls.load(), 3);
  EXPECT_EQ(worker.retried(), 2);
}

TEST_F(WorkerTest, ExtendsVisibilityWhileALongJobRuns) {
  model_.delay = std::chrono::milliseconds(3500);
  Send("a slow one");
  WorkerOptions o = Options();
  o.visibility_timeout = std::chrono::seconds(2);  // shorter than the job: must be renewed
  Worker worker(*queue_, pipeline_, o);
  worker.Start();
  ASSERT_TRUE(WaitFor([&] { return worker.succeeded() == 1; }));
  worker.RequestStop();
  worker.Join();
  EXPECT_EQ(model_.calls.load(), 1);  // never redelivered to a second executor
  EXPECT_EQ(Attrs().visible + Attrs().in_flight, 0);
}

TEST_F(WorkerTest, RecordsJobsInTheLedger) {
  auto sent = queue_->Send(OutgoingMessage{"hus", std::chrono::seconds(0)});
  ASSERT_TRUE(sent.ok());
  Worker worker(*queue_, pipeline_, Options());
  worker.Start();
  ASSERT_TRUE(WaitFor([&] { return worker.succeeded() == 1; }));
  auto job = ledger_->Get(sent->message_id);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->state, JobState::kSucceeded);
  EXPECT_EQ(job->attempts, 1);
  EXPECT_EQ(job->prompt, "hus");
  EXPECT_TRUE(store_.Head(job->key).ok());
}

TEST_F(WorkerTest, StopReturnsPromptlyWhenIdle) {
  Worker worker(*queue_, pipeline_, Options());
  worker.Start();
  auto t0 = std::chrono::steady_clock::now();
  worker.RequestStop();
  worker.Join();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
}

// The real SQLite queue on a clock the test owns. Each Defer is recorded, and moves the clock past
// its delay, so the deferred message is due at once: the test asserts the waits the worker asked
// for without waiting them. Each receive's count is recorded too.
class ClockedQueue final : public JobQueueWrapper {
 public:
  ClockedQueue(JobQueue& base, std::atomic<int64_t>& clock)
      : JobQueueWrapper(base), clock_(clock) {}
  Result<std::vector<ReceivedMessage>> Receive(const ReceiveOptions& options) override {
    auto received = target().Receive(options);
    if (received.ok()) {
      std::lock_guard lock(mu_);
      for (const auto& m : *received) receive_counts_.push_back(m.receive_count);
    }
    return received;
  }
  Status Defer(const ReceivedMessage& message, std::chrono::seconds delay) override {
    Status s = target().Defer(message, delay);
    {
      std::lock_guard lock(mu_);
      delays_.push_back(delay);
    }
    clock_ += delay.count() * 1000;
    return s;
  }
  std::vector<std::chrono::seconds> delays() {
    std::lock_guard lock(mu_);
    return delays_;
  }
  std::vector<int> receive_counts() {
    std::lock_guard lock(mu_);
    return receive_counts_;
  }

 private:
  std::atomic<int64_t>& clock_;
  std::mutex mu_;  // guards delays_, receive_counts_
  std::vector<std::chrono::seconds> delays_;
  std::vector<int> receive_counts_;
};

// A full disk (the store answers ResourceExhausted) 7 times in a row, with a queue that
// dead-letters at the 4th receive: the job is deferred each time with a growing wait that reaches
// the 15-minute cap, its receives are never used up, and it succeeds once the disk has room.
TEST_F(WorkerTest, FullDiskDefersWithGrowingWaitsAndNeverDeadLetters) {
  std::atomic<int64_t> clock{1'700'000'000'000};
  SqliteQueueOptions qo = options_;
  qo.path = (dir_ / "clocked.db").string();
  qo.now_ms = [&clock] { return clock.load(); };
  auto real = OpenSqliteQueue(qo);
  ASSERT_TRUE(real.ok()) << real.status().ToString();
  ClockedQueue queue(**real, clock);
  auto sent = queue.Send(OutgoingMessage{"fjord", std::chrono::seconds(0)});
  ASSERT_TRUE(sent.ok());

  store_.FailNextPuts(7, StatusCode::kResourceExhausted);
  WorkerOptions o = Options();
  o.concurrency = 1;
  o.random01 = [] { return 1.0; };  // the top of each jitter range
  Worker worker(queue, pipeline_, o);
  worker.Start();
  ASSERT_TRUE(WaitFor([&] { return worker.succeeded() == 1; }));
  worker.RequestStop();
  worker.Join();

  using std::chrono::seconds;
  EXPECT_EQ(queue.delays(),
            (std::vector<seconds>{seconds(30), seconds(60), seconds(120), seconds(240),
                                  seconds(480), seconds(900), seconds(900)}));
  EXPECT_EQ(queue.receive_counts(), std::vector<int>(8, 1));  // no receive was used up
  EXPECT_EQ(worker.deferred(), 7);
  EXPECT_EQ(worker.retried(), 0);
  EXPECT_EQ(worker.dead_lettered(), 0);
  auto attributes = queue.Attributes();
  ASSERT_TRUE(attributes.ok());
  EXPECT_EQ(attributes->dead_lettered, 0);
  EXPECT_EQ(attributes->visible + attributes->in_flight + attributes->delayed, 0);
  auto job = ledger_->Get(sent->message_id);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->state, JobState::kSucceeded);
  EXPECT_EQ(job->attempts, 1);
  EXPECT_EQ(store_.size(), 1u);
}

// The lowest jitter still grows into minutes: each wait is at least half of its ceiling.
// A clock the test moves.
class TestClock final : public Clock {
 public:
  int64_t NowMs() const override { return now_ms.load(); }
  std::atomic<int64_t> now_ms{0};
};

// Counts receives, so a test can tell that the worker asked the queue for nothing.
class CountingQueue final : public JobQueueWrapper {
 public:
  using JobQueueWrapper::JobQueueWrapper;
  Result<std::vector<ReceivedMessage>> Receive(const ReceiveOptions& options) override {
    ++receives;
    return JobQueueWrapper::Receive(options);
  }
  std::atomic<int> receives{0};
};

TEST_F(WorkerTest, PausesWhileTheGlobalBudgetIsSpentAndResumesAtItsReset) {
  constexpr int64_t kLateEvening = 1773183600000;  // 2026-03-10T23:00:00Z
  constexpr int64_t kMidnight = 1773187200000;     // 2026-03-11T00:00:00Z
  TestClock clock;
  clock.now_ms = kLateEvening;
  MemorySpendLedger spend;
  model_.price_usd = 1;
  pipeline_.spend = &spend;
  pipeline_.budgets = {Budget{2, BudgetPeriod::kDay}};
  pipeline_.clock = &clock;
  ASSERT_TRUE(spend
                  .Charge(SpendCharge{"earlier", "", "fake", 2, kLateEvening},
                          BudgetScopesFor(pipeline_.budgets, "", {}))
                  .ok());
  Send("a fox after midnight");
  CountingQueue queue(*queue_);
  WorkerOptions options = Options();
  options.budget_recheck = std::chrono::milliseconds(5);
  Worker worker(queue, pipeline_, options);
  worker.Start();

  ASSERT_TRUE(WaitFor([&] { return worker.paused_for_budget(); }));
  // Several looks at the budget later, still nothing asked of the queue: the message waits.
  const int checks = spend.check_calls();
  ASSERT_TRUE(WaitFor([&] { return spend.check_calls() >= checks + 5; }));
  EXPECT_EQ(queue.receives.load(), 0);
  EXPECT_EQ(Attrs().visible, 1);
  EXPECT_EQ(model_.calls.load(), 0);

  clock.now_ms = kMidnight + 1000;
  ASSERT_TRUE(WaitFor([&] { return worker.succeeded() == 1; }));
  EXPECT_FALSE(worker.paused_for_budget());
  worker.RequestStop();
  worker.Join();
  EXPECT_EQ(spend.charges().size(), 2u);
}

TEST_F(WorkerTest, AFreeModelNeverPausesForABudget) {
  MemorySpendLedger spend;
  pipeline_.spend = &spend;
  pipeline_.budgets = {Budget{0.5, BudgetPeriod::kDay}};
  Send("free");
  Worker worker(*queue_, pipeline_, Options());
  worker.Start();
  ASSERT_TRUE(WaitFor([&] { return worker.succeeded() == 1; }));
  worker.RequestStop();
  worker.Join();
  EXPECT_EQ(spend.check_calls(), 0);
}

TEST(DeferDelayTest, GrowsIntoMinutesAndStopsAtFifteen) {
  const BackoffPolicy policy = WorkerOptions{}.defer_backoff;
  EXPECT_EQ(DeferDelay(policy, 1, 0.0), std::chrono::seconds(15));
  EXPECT_EQ(DeferDelay(policy, 1, 1.0), std::chrono::seconds(30));
  EXPECT_EQ(DeferDelay(policy, 4, 0.0), std::chrono::seconds(120));
  EXPECT_EQ(DeferDelay(policy, 6, 0.0), std::chrono::seconds(450));
  EXPECT_EQ(DeferDelay(policy, 50, 1.0), kMaxDeferDelay);
  for (int n = 1; n < 60; ++n) {
    EXPECT_LE(DeferDelay(policy, n, 0.0), DeferDelay(policy, n + 1, 0.0)) << n;
    EXPECT_LE(DeferDelay(policy, n, 0.999), kMaxDeferDelay) << n;
  }
}

}  // namespace
}  // namespace pictor
