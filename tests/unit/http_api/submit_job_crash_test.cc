// POST /jobs across a crash between recording a job and queueing its message: a 202 must mean
// the job will run. The crash is played by decorators: a queue whose sends fail ("the process
// died before the message went out") and a ledger that cannot remove or mark ("it died before
// that too"). Run against both ledgers (SQLite, and the store ledger on an in-memory store).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>

#include "core/pipeline.h"
#include "fakes/fake_image_model.h"
#include "fakes/memory_store.h"
#include "http/api.h"
#include "ledger/sqlite/sqlite_ledger.h"
#include "ledger/store/store_ledger.h"
#include "pictor/job_ledger_wrapper.h"
#include "pictor/job_queue_wrapper.h"
#include "queue/sqlite/sqlite_queue.h"

namespace pictor::http {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using pictor::testing::FakeImageModel;
using pictor::testing::MemoryStore;

class DyingQueue final : public pictor::JobQueueWrapper {
 public:
  using JobQueueWrapper::JobQueueWrapper;
  Result<SentMessage> Send(const OutgoingMessage& message) override {
    if (gone) return Status::NotFound("queue prompts does not exist");
    if (dead) return Status::Unavailable("the process died before sending");
    return target().Send(message);
  }
  std::atomic<bool> dead{false};
  std::atomic<bool> gone{false};  // the queue was deleted under the server
};

class DyingLedger final : public pictor::JobLedgerWrapper {
 public:
  using JobLedgerWrapper::JobLedgerWrapper;
  Status Remove(std::string_view id) override {
    if (dead) return Status::Unavailable("the process died before removing");
    return target().Remove(id);
  }
  Status MarkEnqueued(const JobRecord& record) override {
    if (dead) return Status::Unavailable("the process died before marking");
    return target().MarkEnqueued(record);
  }
  std::atomic<bool> dead{false};
};

enum class LedgerKind { kSqlite, kStore };

class SubmitJobCrashTest : public ::testing::TestWithParam<LedgerKind> {
 protected:
  void SetUp() override {
    // A parameterised test's name is "Name/Param": its slash would make the folder nested, and
    // TearDown would remove only the inner one.
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '-');
    dir_ = fs::temp_directory_path() / ("pictor-submit-crash-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(static_cast<int>(GetParam())) + "-" + name);
    fs::remove_all(dir_);
    SqliteQueueOptions qo;
    qo.path = (dir_ / "queue.db").string();
    real_queue_ = OpenSqliteQueue(qo).value();
    real_ledger_ = GetParam() == LedgerKind::kSqlite
                       ? OpenSqliteLedger((dir_ / "jobs.db").string()).value()
                       : OpenStoreLedger(ledger_store_, "jobs").value();
    queue_ = std::make_unique<DyingQueue>(*real_queue_);
    ledger_ = std::make_unique<DyingLedger>(*real_ledger_);
    pipeline_.ledger = ledger_.get();
    api_ = std::make_unique<Api>(pipeline_, queue_.get(), ledger_.get(), metrics_, ApiOptions{});
  }
  void TearDown() override {
    api_.reset();
    real_ledger_.reset();
    fs::remove_all(dir_);
  }

  HttpResponse Submit(const std::string& key) {
    HttpRequest r;
    r.method = "POST";
    r.path = "/jobs";
    r.body = R"({"prompt":"nordlys","seed":11,"negative_prompt":"tåke"})";
    r.headers.Add("Host", "pictor.test");
    r.headers.Add("Content-Type", "application/json");
    r.headers.Add("Idempotency-Key", key);
    return api_->Handle(r);
  }

  // Runs every message on the queue through the job step, as a worker would; returns how many.
  int Drain() {
    int n = 0;
    for (;;) {
      auto received = real_queue_->Receive(ReceiveOptions{});
      EXPECT_TRUE(received.ok());
      if (!received.ok() || received->empty()) return n;
      for (const auto& m : *received) {
        EXPECT_EQ(RunJob(pipeline_, m, 5).outcome, JobOutcome::kSucceeded);
        EXPECT_TRUE(real_queue_->Delete(m.receipt_handle).ok());
        ++n;
      }
    }
  }

  JobState StateOf(const std::string& id) { return real_ledger_->Get(id).value().state; }

  fs::path dir_;
  FakeImageModel model_;
  MemoryStore images_;
  MemoryStore ledger_store_;
  Pipeline pipeline_{model_, images_};
  MetricsRegistry metrics_;
  std::unique_ptr<JobQueue> real_queue_;
  std::unique_ptr<JobLedger> real_ledger_;
  std::unique_ptr<DyingQueue> queue_;
  std::unique_ptr<DyingLedger> ledger_;
  std::unique_ptr<Api> api_;
};

// A queue deleted under the server is the server's fault: 503 with Retry-After, not 404, and the
// record is taken back so the key can be used again.
TEST_P(SubmitJobCrashTest, AMissingQueueIs503AndTakesTheRecordBack) {
  queue_->gone = true;
  HttpResponse r = Submit("order-9");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_TRUE(r.headers.Get("Retry-After").has_value());
  queue_->gone = false;
  HttpResponse again = Submit("order-9");
  EXPECT_EQ(again.status, 202) << again.body;
  EXPECT_FALSE(again.headers.Get("Idempotent-Replayed").has_value());
}

// Recorded, never sent, never removed: the retry with the same key sends the message, and the
// job runs once.
TEST_P(SubmitJobCrashTest, ReplayOfARecordWithoutAMessageSendsIt) {
  queue_->dead = true;
  ledger_->dead = true;
  HttpResponse lost = Submit("order-7");
  ASSERT_EQ(lost.status, 503) << lost.body;  // what the client saw instead of the dead process
  EXPECT_EQ(real_queue_->Attributes()->visible, 0);

  queue_->dead = false;
  ledger_->dead = false;
  HttpResponse replay = Submit("order-7");
  ASSERT_EQ(replay.status, 202) << replay.body;
  EXPECT_EQ(*replay.headers.Get("Idempotent-Replayed"), "true");
  const std::string id = Json::parse(replay.body)["id"];
  EXPECT_EQ(real_queue_->Attributes()->visible, 1);

  // A second retry finds the mark: no further message.
  ASSERT_EQ(Submit("order-7").status, 202);
  EXPECT_EQ(real_queue_->Attributes()->visible, 1);

  EXPECT_EQ(Drain(), 1);
  EXPECT_EQ(StateOf(id), JobState::kSucceeded);
  EXPECT_EQ(model_.calls.load(), 1);
  EXPECT_EQ(images_.size(), 1u);
  auto image = images_.Get(real_ledger_->Get(id)->key);
  ASSERT_TRUE(image.ok());
}

// Sent, but the process died before the mark: the retry sends a second message, and the two make
// one image with one model call.
TEST_P(SubmitJobCrashTest, LostMarkCostsOnlyAHarmlessDuplicate) {
  ledger_->dead = true;
  HttpResponse first = Submit("order-8");
  ASSERT_EQ(first.status, 202) << first.body;
  ledger_->dead = false;
  HttpResponse replay = Submit("order-8");
  ASSERT_EQ(replay.status, 202) << replay.body;
  const std::string id = Json::parse(replay.body)["id"];
  EXPECT_EQ(Json::parse(first.body)["id"], id);
  EXPECT_EQ(real_queue_->Attributes()->visible, 2);

  EXPECT_EQ(Drain(), 2);
  EXPECT_EQ(StateOf(id), JobState::kSucceeded);
  EXPECT_EQ(model_.calls.load(), 1);
  EXPECT_EQ(images_.size(), 1u);
}

// No crash: a replay sends nothing, while the job is queued and after it ran.
TEST_P(SubmitJobCrashTest, ReplayOfAQueuedJobWithItsMessageSendsNothing) {
  ASSERT_EQ(Submit("order-9").status, 202);
  ASSERT_EQ(Submit("order-9").status, 202);
  EXPECT_EQ(real_queue_->Attributes()->visible, 1);
  EXPECT_EQ(Drain(), 1);
  ASSERT_EQ(Submit("order-9").status, 202);
  EXPECT_EQ(Drain(), 0);
}

// The queue still down at the retry: the client is told to try again (503), never 202.
TEST_P(SubmitJobCrashTest, ReplayWhileTheQueueIsDownIsNotAccepted) {
  queue_->dead = true;
  ledger_->dead = true;
  ASSERT_EQ(Submit("order-10").status, 503);
  ledger_->dead = false;
  HttpResponse replay = Submit("order-10");
  EXPECT_EQ(replay.status, 503) << replay.body;
  queue_->dead = false;
  EXPECT_EQ(Submit("order-10").status, 202);
  EXPECT_EQ(Drain(), 1);
}

INSTANTIATE_TEST_SUITE_P(Ledgers, SubmitJobCrashTest,
                         ::testing::Values(LedgerKind::kSqlite, LedgerKind::kStore),
                         [](const auto& info) {
                           return info.param == LedgerKind::kSqlite ? std::string("Sqlite")
                                                                    : std::string("Store");
                         });

}  // namespace
}  // namespace pictor::http
