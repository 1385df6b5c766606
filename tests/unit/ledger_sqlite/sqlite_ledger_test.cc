#include "ledger/sqlite/sqlite_ledger.h"
#include "fakes/job_records.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <optional>
#include <thread>

#include "unit/sqlite/file_size_limit.h"

namespace pictor {
namespace {

namespace fs = std::filesystem;

class LedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pictor-ledger-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    path_ = (dir_ / "sub" / "jobs.db").string();
    auto l = OpenSqliteLedger(path_);
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    ledger_ = std::move(l).value();
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  std::string path_;
  std::unique_ptr<JobLedger> ledger_;
};

TEST_F(LedgerTest, JobsWithoutIdempotencyKeysDoNotCollide) {
  EXPECT_TRUE(ledger_->Create(testing::SampleJobRecord("a"))->created);
  EXPECT_TRUE(ledger_->Create(testing::SampleJobRecord("b"))->created);
}

TEST_F(LedgerTest, SurvivesReopening) {
  ASSERT_TRUE(ledger_->Create(testing::SampleJobRecord("j1")).ok());
  ledger_.reset();
  auto again = OpenSqliteLedger(path_);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE((*again)->Get("j1").ok());
}

TEST_F(LedgerTest, EnqueuedMarkIsSeenAtOnceAndSurvivesReopening) {
  auto created = ledger_->Create(testing::SampleJobRecord("j1", "idem"));
  ASSERT_TRUE(created.ok());
  EXPECT_FALSE(created->record.enqueued);
  EXPECT_FALSE(ledger_->Create(testing::SampleJobRecord("j2", "idem"))->record.enqueued);
  ASSERT_TRUE(ledger_->MarkEnqueued(created->record).ok());
  EXPECT_TRUE(ledger_->Create(testing::SampleJobRecord("j2", "idem"))->record.enqueued);
  EXPECT_TRUE(ledger_->Get("j1")->enqueued);
  ledger_.reset();
  auto again = OpenSqliteLedger(path_);
  ASSERT_TRUE(again.ok());
  auto replay = (*again)->Create(testing::SampleJobRecord("j3", "idem"));
  ASSERT_TRUE(replay.ok());
  EXPECT_FALSE(replay->created);
  EXPECT_TRUE(replay->record.enqueued);
}

// The mark never moves a job back: a worker's later state stays.
TEST_F(LedgerTest, EnqueuedMarkKeepsTheWorkersState) {
  auto created = ledger_->Create(testing::SampleJobRecord("j1", "idem"));
  ASSERT_TRUE(created.ok());
  JobRecord done = created->record;
  done.state = JobState::kSucceeded;
  ASSERT_TRUE(ledger_->Put(done).ok());
  ASSERT_TRUE(ledger_->MarkEnqueued(created->record).ok());
  ledger_.reset();  // writes the mark
  auto again = OpenSqliteLedger(path_);
  ASSERT_TRUE(again.ok());
  auto job = (*again)->Get("j1");
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->state, JobState::kSucceeded);
  EXPECT_TRUE(job->enqueued);
}

// A ledger file from before the mark existed opens, keeps its jobs unmarked, and marks them.
TEST_F(LedgerTest, FileWithoutTheEnqueuedColumnGainsIt) {
  ledger_.reset();
  fs::remove_all(dir_);
  fs::create_directories(dir_ / "sub");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  const char* old_schema =
      "CREATE TABLE jobs (id TEXT PRIMARY KEY, state INTEGER NOT NULL, prompt TEXT NOT NULL,"
      " seed INTEGER NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL,"
      " key TEXT NOT NULL, error TEXT NOT NULL, attempts INTEGER NOT NULL,"
      " created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,"
      " idempotency_key TEXT, request_digest TEXT NOT NULL);"
      "INSERT INTO jobs VALUES ('old', 0, 'p', 1, 8, 8, 'k.png', '', 0, 1, 1, 'idem-old', 'd');";
  ASSERT_EQ(sqlite3_exec(db, old_schema, nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);
  auto opened = OpenSqliteLedger(path_);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  auto old = (*opened)->Get("old");
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  EXPECT_FALSE(old->enqueued);
  ASSERT_TRUE((*opened)->MarkEnqueued(*old).ok());
  EXPECT_TRUE((*opened)->Get("old")->enqueued);
}

// A ledger file from before owners, models and costs (the schema with the enqueued mark, as the
// release before them wrote it) opens: its jobs read with none, are listed, and take them.
TEST_F(LedgerTest, FileWithoutOwnerModelAndCostGainsThemAndIsListed) {
  ledger_.reset();
  fs::remove_all(dir_);
  fs::create_directories(dir_ / "sub");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  const char* old_schema =
      "CREATE TABLE jobs (id TEXT PRIMARY KEY, state INTEGER NOT NULL, prompt TEXT NOT NULL,"
      " seed INTEGER NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL,"
      " key TEXT NOT NULL, error TEXT NOT NULL, attempts INTEGER NOT NULL,"
      " created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,"
      " idempotency_key TEXT, request_digest TEXT NOT NULL,"
      " enqueued INTEGER NOT NULL DEFAULT 0);"
      "CREATE UNIQUE INDEX jobs_idempotency ON jobs(idempotency_key)"
      " WHERE idempotency_key IS NOT NULL;"
      "INSERT INTO jobs VALUES ('old1', 2, 'p', 1, 8, 8, 'k1.png', '', 1, 10, 11, NULL, 'd', 1);"
      "INSERT INTO jobs VALUES ('old2', 0, 'q', 2, 8, 8, 'k2.png', '', 0, 20, 20, 'i', 'd', 0);";
  ASSERT_EQ(sqlite3_exec(db, old_schema, nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);
  auto opened = OpenSqliteLedger(path_);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  JobLedger& ledger = **opened;
  auto old = ledger.Get("old1");
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  EXPECT_EQ(old->owner, "");
  EXPECT_EQ(old->model, "");
  EXPECT_EQ(old->cost_usd, 0);
  EXPECT_EQ(old->state, JobState::kSucceeded);
  auto listed = ledger.List(JobQuery{});
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->jobs.size(), 2u);
  EXPECT_EQ(listed->jobs[0].id, "old2");
  EXPECT_EQ(listed->jobs[1].id, "old1");
  old->owner = "ci-bot";
  old->model = "builtin";
  old->cost_usd = 0.12;
  ASSERT_TRUE(ledger.Put(*old).ok());
  JobQuery mine;
  mine.owner = "ci-bot";
  listed = ledger.List(mine);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->jobs.size(), 1u);
  EXPECT_EQ(listed->jobs[0].model, "builtin");
  EXPECT_DOUBLE_EQ(listed->jobs[0].cost_usd, 0.12);
  opened->reset();
  // Opening the upgraded file again changes nothing.
  auto again = OpenSqliteLedger(path_);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ((*again)->Get("old1")->owner, "ci-bot");
}

// Each filter's page is a seek in an index, not a scan of the table (List's SQL, as ListSql
// builds it for each filter).
TEST_F(LedgerTest, ListQueriesUseAnIndex) {
  ledger_.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  const std::string select = "EXPLAIN QUERY PLAN SELECT id FROM jobs WHERE 1";
  const std::string rest =
      " AND created_ms <= 5 AND (created_ms < 5 OR id > 'x') ORDER BY created_ms DESC, id LIMIT 3";
  for (const auto& [filter, index] :
       {std::pair{"", "jobs_newest"}, std::pair{" AND owner = 'a'", "jobs_owner_newest"},
        std::pair{" AND state = 2", "jobs_state_newest"}}) {
    const std::string sql = select + filter + rest;
    std::string plan;
    auto collect = [](void* out, int n, char** values, char**) {
      for (int i = 0; i < n; ++i) *static_cast<std::string*>(out) += values[i] ? values[i] : "";
      return 0;
    };
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), collect, &plan, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    EXPECT_NE(plan.find(index), std::string::npos) << filter << ": " << plan;
    EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << filter << ": " << plan;
  }
  sqlite3_close(db);
}

// List writes what the group commit still holds before reading: a job is listed as soon as
// Create returns, whether the flusher thread has had its turn or not.
TEST_F(LedgerTest, AJobIsListedAsSoonAsCreateReturns) {
  JobQuery newest;
  newest.limit = 1;
  for (int n = 1; n <= 300; ++n) {
    JobRecord job = testing::SampleJobRecord(testing::NumberedJobId(n));
    job.created_ms = job.updated_ms = 1700000000000 + n;
    ASSERT_TRUE(ledger_->Create(job).ok());
    if (n % 3 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));  // flusher's turn
    auto listed = ledger_->List(newest);
    ASSERT_TRUE(listed.ok()) << listed.status().ToString();
    ASSERT_EQ(listed->jobs.size(), 1u) << n;
    ASSERT_EQ(listed->jobs[0].id, job.id) << n;
  }
}

// A creation the flusher thread has taken but not yet committed is still the ledger's: every
// Get from Create's return on finds the job (a worker taking its message at once, or a client
// opening its event stream, must never be told it does not exist).
TEST_F(LedgerTest, ACreatedJobIsFoundAtEveryMomentOfItsGroupCommit) {
  int missing = 0;
  for (int n = 1; n <= 200; ++n) {
    const std::string id = testing::NumberedJobId(n);
    ASSERT_TRUE(ledger_->Create(testing::SampleJobRecord(id)).ok());
    // Read it over and over until the flusher has surely written it (its window is 2 ms).
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(6);
    while (std::chrono::steady_clock::now() < until) {
      if (!ledger_->Get(id).ok()) ++missing;
    }
  }
  EXPECT_EQ(missing, 0);
}

// A later state replaces a pending creation without a moment in which the job is in neither
// place: read from another thread while Put writes, the job is always there.
TEST_F(LedgerTest, APutOverAPendingCreationIsNeverAMomentWithoutTheJob) {
  std::atomic<bool> done{false};
  std::atomic<int> missing{0};
  std::atomic<int> current{0};
  std::thread reader([&] {
    while (!done) {
      const int n = current.load();
      if (n > 0 && !ledger_->Get(testing::NumberedJobId(n)).ok()) ++missing;
    }
  });
  for (int n = 1; n <= 300; ++n) {
    JobRecord job = testing::SampleJobRecord(testing::NumberedJobId(n));
    ASSERT_TRUE(ledger_->Create(job).ok());
    current = n;
    job.state = JobState::kRunning;
    ASSERT_TRUE(ledger_->Put(job).ok());
  }
  done = true;
  reader.join();
  EXPECT_EQ(missing.load(), 0);
}

// A creation taken back (its message could not be sent) while the flusher holds it must not be
// written afterwards: a record without a message would stand "queued" for ever.
TEST_F(LedgerTest, ACreationRemovedDuringItsGroupCommitStaysRemoved) {
  for (int n = 1; n <= 200; ++n) {
    const std::string id = testing::NumberedJobId(n);
    ASSERT_TRUE(ledger_->Create(testing::SampleJobRecord(id)).ok());
    std::this_thread::sleep_for(std::chrono::microseconds(n % 4 * 700));  // before, in, after
    ASSERT_TRUE(ledger_->Remove(id).ok());
  }
  ledger_.reset();  // writes whatever is still pending
  auto again = OpenSqliteLedger(path_);
  ASSERT_TRUE(again.ok());
  JobQuery all;
  all.limit = 200;
  auto listed = (*again)->List(all);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_TRUE(listed->jobs.empty())
      << listed->jobs.size() << " removed jobs came back, first " << listed->jobs.front().id;
}

// A `pictor worker` on the same file may take a job's message before the server's group commit
// has written its creation, and record the job without what only the server knew. Whichever
// write comes second, the job keeps its owner, digest, webhook URL and creation time, and the
// worker's state.
TEST_F(LedgerTest, AWorkerAheadOfTheGroupCommitLosesNoneOfTheCreationsFacts) {
  auto worker = OpenSqliteLedger(path_);
  ASSERT_TRUE(worker.ok());
  JobRecord created = testing::SampleJobRecord("j");
  created.owner = "team-a";
  created.webhook_url = "https://hooks.example/pictor";
  created.created_ms = 1700000000000;
  // What the worker records from the message alone.
  JobRecord running = testing::SampleJobRecord("j");
  running.state = JobState::kRunning;
  running.request_digest.clear();
  running.created_ms = 1700000000040;  // the message's sent time, a little later
  running.updated_ms = 1700000000050;
  running.attempts = 1;

  const auto check = [&](JobLedger& ledger, const std::string& id) {
    auto got = ledger.Get(id);
    ASSERT_TRUE(got.ok()) << id << ": " << got.status().ToString();
    EXPECT_EQ(got->state, JobState::kRunning) << id;
    EXPECT_EQ(got->attempts, 1) << id;
    EXPECT_EQ(got->owner, "team-a") << id;
    EXPECT_EQ(got->request_digest, "d1") << id;
    EXPECT_EQ(got->webhook_url, "https://hooks.example/pictor") << id;
    EXPECT_EQ(got->created_ms, 1700000000000) << id;
    EXPECT_EQ(got->updated_ms, 1700000000050) << id;
  };

  // "worker-first": the worker's state, then the server's group commit.
  created.id = running.id = "worker-first";
  ASSERT_TRUE(ledger_->Create(created).ok());
  EXPECT_TRUE((*worker)->Get(created.id).status().IsNotFound());  // in the server's hands
  ASSERT_TRUE((*worker)->Put(running).ok());
  ledger_.reset();  // writes what is pending
  check(**worker, "worker-first");

  // "server-first": the group commit (after the worker's Get missed it), then the worker.
  created.id = running.id = "server-first";
  auto server = OpenSqliteLedger(path_);
  ASSERT_TRUE(server.ok());
  ASSERT_TRUE((*server)->Create(created).ok());
  EXPECT_TRUE((*worker)->Get(created.id).status().IsNotFound());
  server->reset();
  ASSERT_TRUE((*worker)->Put(running).ok());
  check(**worker, "server-first");
}

// A Put names every fact it knows: a later owner or digest than the file's is the record's.
TEST_F(LedgerTest, APutStillReplacesTheFactsItGives) {
  JobRecord job = testing::SampleJobRecord("j");
  job.owner = "team-a";
  ASSERT_TRUE(ledger_->Create(job).ok());
  job.owner = "team-b";
  job.request_digest = "d2";
  job.created_ms -= 5;
  ASSERT_TRUE(ledger_->Put(job).ok());
  auto got = ledger_->Get("j");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->owner, "team-b");
  EXPECT_EQ(got->request_digest, "d2");
  EXPECT_EQ(got->created_ms, job.created_ms);
}

TEST_F(LedgerTest, TwoHandlesOnOneFileShareIdempotency) {
  auto other = OpenSqliteLedger(path_);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(ledger_->Create(testing::SampleJobRecord("j1", "shared")).ok());
  auto second = (*other)->Create(testing::SampleJobRecord("j2", "shared"));
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->created);
  EXPECT_EQ(second->record.id, "j1");
}

TEST_F(LedgerTest, RecordWithoutIdempotencyKeyIsReadableAtOnceAndWrittenSoonAfter) {
  ASSERT_TRUE(ledger_->Create(testing::SampleJobRecord("quick")).ok());
  EXPECT_TRUE(ledger_->Get("quick").ok());  // before the group commit
  auto other = OpenSqliteLedger(path_);
  ASSERT_TRUE(other.ok());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!(*other)->Get("quick").ok() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_TRUE((*other)->Get("quick").ok()) << "never written to the file";
}

TEST_F(LedgerTest, LaterStateIsNotOverwrittenByThePendingCreation) {
  ASSERT_TRUE(ledger_->Create(testing::SampleJobRecord("j")).ok());
  JobRecord done = testing::SampleJobRecord("j");
  done.state = JobState::kSucceeded;
  ASSERT_TRUE(ledger_->Put(done).ok());
  ledger_.reset();  // flushes whatever is pending
  auto again = OpenSqliteLedger(path_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->Get("j")->state, JobState::kSucceeded);
}

TEST_F(LedgerTest, ClosingWritesPendingRecords) {
  for (int i = 0; i < 100; ++i)
    ASSERT_TRUE(ledger_->Create(testing::SampleJobRecord("j" + std::to_string(i))).ok());
  ledger_.reset();
  auto again = OpenSqliteLedger(path_);
  ASSERT_TRUE(again.ok());
  for (int i = 0; i < 100; ++i) EXPECT_TRUE((*again)->Get("j" + std::to_string(i)).ok()) << i;
}

TEST_F(LedgerTest, RemovingAPendingRecordForgetsIt) {
  ASSERT_TRUE(ledger_->Create(testing::SampleJobRecord("gone")).ok());
  ASSERT_TRUE(ledger_->Remove("gone").ok());
  ledger_.reset();
  auto again = OpenSqliteLedger(path_);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE((*again)->Get("gone").status().IsNotFound());
}

TEST_F(LedgerTest, LogIsCheckpointedIntoTheDatabaseInTheBackground) {
  const auto size = [&] { return fs::file_size(path_); };
  const auto before = size();
  for (int i = 0; i < 300; ++i) {
    JobRecord r = testing::SampleJobRecord("c" + std::to_string(i),
                                           "k" + std::to_string(i));  // durable writes
    r.prompt = std::string(500, 'p');
    ASSERT_TRUE(ledger_->Create(r).ok());
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (size() <= before && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_GT(size(), before) << "the log was never copied into the database file";
}

// A real storage fault, the same as the queue's (tests/unit/queue_sqlite): in a child whose files
// may not grow (RLIMIT_FSIZE, EFBIG as on a full disk), recording jobs fails with
// ResourceExhausted, retryable and the system's fault, exactly as sending to the queue does.
TEST_F(LedgerTest, FileThatCannotGrowIsResourceExhaustedAsInTheQueue) {
  ledger_.reset();  // the child is forked with no thread of the parent's running
  const std::string outcome =
      testing::FirstFailureWithFileSizeLimit(256 * 1024, [&]() -> std::optional<StatusCode> {
        auto ledger = OpenSqliteLedger(path_);
        if (!ledger.ok()) return ledger.status().code();
        for (int i = 0; i < 100; ++i) {
          JobRecord r = testing::SampleJobRecord("big" + std::to_string(i),
                                                 "key" + std::to_string(i));  // written at once
          r.prompt = std::string(60 * 1024, 'p');
          auto created = (*ledger)->Create(r);
          if (!created.ok()) return created.status().code();
        }
        return std::nullopt;
      });
  EXPECT_EQ(outcome, "resource_exhausted");
}

TEST(LedgerOpen, UnwritablePathIsAClearError) {
  auto l = OpenSqliteLedger("/proc/pictor-cannot/jobs.db");
  ASSERT_FALSE(l.ok());
  EXPECT_NE(l.status().message().find("/proc/pictor-cannot/jobs.db"), std::string::npos);
}

}  // namespace
}  // namespace pictor
