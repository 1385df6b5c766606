#include "core/worker.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "fakes/fake_image_model.h"
#include "fakes/memory_store.h"
#include "ledger/sqlite/sqlite_ledger.h"
#include "queue/sqlite/sqlite_queue.h"

namespace pictor {
namespace {

using testing::FakeImageModel;
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
  model_.FailNext(Status::Unavailable("model busy"));
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
  model_.FailAlways(Status::Unavailable("down"));
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

}  // namespace
}  // namespace pictor
