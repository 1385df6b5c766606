#include "sqlite/wal_checkpointer.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

namespace pictor {
namespace {

namespace fs = std::filesystem;
using sqlite::WalCheckpointer;
using sqlite::WriterPause;
using std::chrono::milliseconds;

// A writer connection set up as the queue and the ledger set theirs up: WAL, no automatic
// checkpoints, the log cut back to 1 MiB when it restarts.
class WalCheckpointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pictor-wal-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "test.db").string();
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db_), SQLITE_OK);
    Exec(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=0;"
        "PRAGMA journal_size_limit=1048576;"
        "CREATE TABLE t(id INTEGER PRIMARY KEY, body BLOB NOT NULL)");
  }
  void TearDown() override {
    sqlite3_close(db_);
    fs::remove_all(dir_);
  }

  void Exec(const char* sql) {
    ASSERT_EQ(sqlite3_exec(db_, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db_);
  }

  // One transaction adding a 2 KiB row, under the writers' mutex.
  void WriteOne() {
    std::lock_guard lock(writers_);
    ASSERT_EQ(sqlite3_exec(db_,
                           "INSERT INTO t(body) VALUES(zeroblob(2048));"
                           "DELETE FROM t WHERE id <= (SELECT max(id) - 200 FROM t)",
                           nullptr, nullptr, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(db_);
  }

  WriterPause Pause() {
    return [this](const std::function<void()>& work) {
      std::lock_guard lock(writers_);
      ++pauses_;
      work();
    };
  }

  fs::path dir_;
  std::string path_;
  sqlite3* db_ = nullptr;
  std::mutex writers_;
  std::atomic<int> pauses_{0};
};

// What the log did, seen from the writer: SQLite calls the WAL hook after every commit with the
// number of frames now in the log, which drops when the commit restarted the log.
struct LogWatch {
  int64_t appended = 0;  // frames written over all commits
  int largest = 0;       // the most frames the log held at once
  int restarts = 0;
  int last = 0;
  static int OnCommit(void* self, sqlite3*, const char*, int frames) {
    auto* watch = static_cast<LogWatch*>(self);
    if (frames < watch->last) {
      ++watch->restarts;
      watch->appended += frames;
    } else {
      watch->appended += frames - watch->last;
    }
    watch->last = frames;
    watch->largest = std::max(watch->largest, frames);
    return SQLITE_OK;
  }
};

TEST_F(WalCheckpointerTest, LogStaysBoundedUnderWritesThatNeverStop) {
  LogWatch watch;
  sqlite3_wal_hook(db_, &LogWatch::OnCommit, &watch);
  auto checkpointer = WalCheckpointer::Start(path_, Pause(), milliseconds(20));
  ASSERT_TRUE(checkpointer.ok()) << checkpointer.status().ToString();
  // Write without a gap: a checkpoint that never holds writers back cannot finish, so the log
  // would never restart and would hold every frame ever written. At least 3 s and 20 rounds of
  // the checkpointer (a loaded machine can starve its thread for a second): without the fix the
  // log holds all frames, with it no stretch between restarts holds half of them.
  const auto start = std::chrono::steady_clock::now();
  int transactions = 0;
  while (std::chrono::steady_clock::now() - start < std::chrono::seconds(3) ||
         (pauses_.load() < 20 &&
          std::chrono::steady_clock::now() - start < std::chrono::seconds(30))) {
    WriteOne();
    ++transactions;
  }
  sqlite3_wal_hook(db_, nullptr, nullptr);
  ASSERT_GT(transactions, 1000);
  EXPECT_GT(pauses_.load(), 0);
  EXPECT_GE(watch.restarts, 3) << watch.appended << " frames appended";
  EXPECT_LT(watch.largest, watch.appended / 2)
      << "the log held " << watch.largest << " of " << watch.appended << " frames at once after "
      << transactions << " transactions";
}

TEST_F(WalCheckpointerTest, WaitForRoundsReturnsOnlyAfterThatManyRounds) {
  auto slow = WalCheckpointer::Start(path_, Pause(), std::chrono::hours(1));
  ASSERT_TRUE(slow.ok()) << slow.status().ToString();
  EXPECT_FALSE((*slow)->WaitForRounds(1, milliseconds(50)));  // the first round is an hour away
  auto fast = WalCheckpointer::Start(path_, Pause(), milliseconds(1));
  ASSERT_TRUE(fast.ok()) << fast.status().ToString();
  EXPECT_TRUE((*fast)->WaitForRounds(5, std::chrono::seconds(30)));
}

TEST_F(WalCheckpointerTest, AnIdleDatabaseDoesNotHoldWritersBack) {
  for (int i = 0; i < 50; ++i) WriteOne();
  auto checkpointer = WalCheckpointer::Start(path_, Pause(), milliseconds(10));
  ASSERT_TRUE(checkpointer.ok()) << checkpointer.status().ToString();
  // The first rounds copy the 50 transactions; later rounds find nothing new.
  ASSERT_TRUE((*checkpointer)->WaitForRounds(3, std::chrono::seconds(30)));
  const int settled = pauses_.load();
  EXPECT_LE(settled, 1);
  ASSERT_TRUE((*checkpointer)->WaitForRounds(10, std::chrono::seconds(30)));
  EXPECT_EQ(pauses_.load(), settled);
  const auto round = (*checkpointer)->LastRound();
  EXPECT_EQ(round.checkpointed_frames, round.log_frames);
  EXPECT_FALSE(round.paused_writers);
  // Everything is in the database file: a new connection that ignores the log sees all rows.
  sqlite3* reader = nullptr;
  ASSERT_EQ(sqlite3_open((path_).c_str(), &reader), SQLITE_OK);
  sqlite3_stmt* count = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(reader, "SELECT count(*) FROM t", -1, &count, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(count), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(count, 0), 50);
  sqlite3_finalize(count);
  sqlite3_close(reader);
}

TEST_F(WalCheckpointerTest, MissingFileIsAnError) {
  auto checkpointer = WalCheckpointer::Start((dir_ / "absent" / "x.db").string(), Pause());
  EXPECT_FALSE(checkpointer.ok());
}

}  // namespace
}  // namespace pictor
