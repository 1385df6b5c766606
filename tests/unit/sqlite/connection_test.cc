// The one SQLite layer's connection: how it opens a file, its errors, and its transactions.
#include "sqlite/connection.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "unit/sqlite/file_size_limit.h"

namespace pictor::sqlite {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

class ConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "pictor-sqlite-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string Path() const { return (dir_ / "test.db").string(); }

  std::unique_ptr<Connection> Open(ConnectionOptions options = {}) {
    options.name = "test database";
    auto db = Connection::Open(Path(), options);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  // The single integer a query answers, or -1.
  static int64_t Number(Connection& db, std::string_view sql) {
    auto st = db.Prepare(sql);
    if (!st.ok()) return -1;
    auto row = st->Step();
    return row.ok() && *row ? st->Int(0) : -1;
  }
  static std::string Word(Connection& db, std::string_view sql) {
    auto st = db.Prepare(sql);
    if (!st.ok()) return st.status().ToString();
    auto row = st->Step();
    return row.ok() && *row ? st->Text(0) : "";
  }

  fs::path dir_;
};

TEST_F(ConnectionTest, OpensWithTheProjectsPragmas) {
  auto db = Open();
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(Word(*db, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(Number(*db, "PRAGMA synchronous"), 1);  // NORMAL
  EXPECT_EQ(Number(*db, "PRAGMA busy_timeout"), 5000);
  EXPECT_EQ(Number(*db, "PRAGMA journal_size_limit"), 64 << 20);
  EXPECT_EQ(Number(*db, "PRAGMA wal_autocheckpoint"), 1000);  // SQLite's own checkpoints
  EXPECT_EQ(Number(*db, "PRAGMA foreign_keys"), 0);
}

TEST_F(ConnectionTest, OptionsSelectFullSyncBackgroundCheckpointsAndForeignKeys) {
  ConnectionOptions options;
  options.sync_every_commit = true;
  options.checkpoint_in_background = true;
  options.foreign_keys = true;
  options.busy_timeout = milliseconds(250);
  auto db = Open(options);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(Number(*db, "PRAGMA synchronous"), 2);  // FULL
  EXPECT_EQ(Number(*db, "PRAGMA wal_autocheckpoint"), 0);
  EXPECT_EQ(Number(*db, "PRAGMA busy_timeout"), 250);
  ASSERT_TRUE(db->Exec("CREATE TABLE parent(id INTEGER PRIMARY KEY);"
                       "CREATE TABLE child(parent INTEGER REFERENCES parent(id))")
                  .ok());
  Status orphan = db->Exec("INSERT INTO child VALUES (7)");
  EXPECT_EQ(orphan.code(), StatusCode::kFailedPrecondition) << orphan.ToString();
  EXPECT_NE(orphan.message().find("FOREIGN KEY"), std::string::npos) << orphan.message();
}

TEST_F(ConnectionTest, CreatesTheFilesDirectory) {
  const std::string path = (dir_ / "a" / "b" / "deep.db").string();
  auto db = Connection::Open(path, {});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_TRUE(fs::exists(path));
  EXPECT_EQ((*db)->path(), path);
}

TEST_F(ConnectionTest, DirectoryThatCannotBeMadeIsPermissionDeniedAndNamed) {
  std::ofstream(dir_ / "afile") << "a file, not a directory";
  const std::string path = (dir_ / "afile" / "x.db").string();
  auto db = Connection::Open(path, {});
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kPermissionDenied) << db.status().ToString();
  EXPECT_NE(db.status().message().find("cannot create directory " + (dir_ / "afile").string()),
            std::string::npos)
      << db.status().message();
  EXPECT_NE(db.status().message().find(path), std::string::npos) << db.status().message();
}

TEST_F(ConnectionTest, EmptyPathIsInvalidArgument) {
  ConnectionOptions options;
  options.name = "queue database";
  auto db = Connection::Open("", options);
  EXPECT_EQ(db.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(db.status().message(), "queue database path is empty");
}

TEST_F(ConnectionTest, FileThatIsNotADatabaseIsDataLossNamingThePath) {
  std::ofstream(Path()) << std::string(8192, 'j');
  auto db = Connection::Open(Path(), {});
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kDataLoss) << db.status().ToString();
  EXPECT_NE(db.status().message().find(Path()), std::string::npos) << db.status().message();
}

TEST_F(ConnectionTest, ExecErrorNamesTheDatabaseAndSqlitesReason) {
  auto db = Open();
  Status s = db->Exec("CREATE TABLE t(x); CREATE TABLE t(x)");
  EXPECT_EQ(s.code(), StatusCode::kInternal) << s.ToString();  // SQLITE_ERROR: a bug
  EXPECT_EQ(s.message(), "test database: table t already exists");
}

TEST_F(ConnectionTest, TransactionGuardDestroyedWithoutCommitRollsBack) {
  auto db = Open();
  ASSERT_TRUE(db->Exec("CREATE TABLE t(x)").ok());
  {
    auto transaction = db->Begin();
    ASSERT_TRUE(transaction.ok()) << transaction.status().ToString();
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (1)").ok());
    EXPECT_EQ(Number(*db, "SELECT count(*) FROM t"), 1);
  }
  EXPECT_EQ(Number(*db, "SELECT count(*) FROM t"), 0);
  // And the write lock went with it: another connection can write at once.
  ConnectionOptions impatient;
  impatient.busy_timeout = milliseconds(0);
  auto other = Connection::Open(Path(), impatient);
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE((*other)->Exec("INSERT INTO t VALUES (2)").ok());
}

TEST_F(ConnectionTest, CommittedTransactionIsSeenByAnotherConnection) {
  auto db = Open();
  ASSERT_TRUE(db->Exec("CREATE TABLE t(x)").ok());
  {
    auto transaction = db->Begin();
    ASSERT_TRUE(transaction.ok());
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (1)").ok());
    ASSERT_TRUE(transaction->Commit().ok());
    EXPECT_EQ(transaction->Commit().code(), StatusCode::kInternal);  // only once
  }
  auto other = Open();
  EXPECT_EQ(Number(*other, "SELECT count(*) FROM t"), 1);
}

// BEGIN IMMEDIATE takes the write lock: a second writer waits its busy timeout, then is told
// the database is busy (Unavailable, retryable), not that its work is bad.
TEST_F(ConnectionTest, SecondWriterIsUnavailableAfterItsBusyTimeout) {
  auto db = Open();
  ASSERT_TRUE(db->Exec("CREATE TABLE t(x)").ok());
  auto held = db->Begin();
  ASSERT_TRUE(held.ok());
  ConnectionOptions impatient;
  impatient.busy_timeout = milliseconds(20);
  auto other = Connection::Open(Path(), impatient);
  ASSERT_TRUE(other.ok());
  auto second = (*other)->Begin();
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable) << second.status().ToString();
  EXPECT_TRUE(second.status().IsRetryable());
}

// Two processes opening a new file at once: one still converts it to WAL, or writes in its old
// journal mode, while the other asks for WAL. SQLite answers that second request busy at once,
// without its busy handler (a lock upgrade that could deadlock), so Open must wait itself.
TEST_F(ConnectionTest, OpenWaitsForAnotherConnectionThatHoldsTheFileWhileItIsCreated) {
  sqlite3* first = nullptr;
  ASSERT_EQ(sqlite3_open(Path().c_str(), &first), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(first, "BEGIN IMMEDIATE; CREATE TABLE t(x); INSERT INTO t VALUES (1)",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  std::thread release([first] {
    std::this_thread::sleep_for(milliseconds(300));  // the lock is held while Open starts
    sqlite3_exec(first, "COMMIT", nullptr, nullptr, nullptr);
  });
  ConnectionOptions options;
  options.name = "test database";
  auto db = Connection::Open(Path(), options);
  release.join();
  sqlite3_close(first);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ(Word(**db, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(Number(**db, "SELECT count(*) FROM t"), 1);
}

TEST_F(ConnectionTest, InTransactionRetriesABusyLockABoundedNumberOfTimes) {
  auto db = Open();
  ASSERT_TRUE(db->Exec("CREATE TABLE t(x)").ok());
  auto held = db->Begin();
  ASSERT_TRUE(held.ok());
  ConnectionOptions impatient;
  impatient.busy_timeout = milliseconds(1);
  auto other = Connection::Open(Path(), impatient);
  ASSERT_TRUE(other.ok());
  int runs = 0;
  Status s = (*other)->InTransaction([&] {
    ++runs;
    return Status::Ok();
  });
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_NE(s.message().find("gave up after 4 attempts"), std::string::npos) << s.message();
  EXPECT_EQ(runs, 0);  // the lock was never taken
}

TEST_F(ConnectionTest, InTransactionRollsBackAFailedBodyAndReturnsItsErrorAsIs) {
  auto db = Open();
  ASSERT_TRUE(db->Exec("CREATE TABLE t(x)").ok());
  int runs = 0;
  Status s = db->InTransaction([&] {
    ++runs;
    if (Status w = db->Exec("INSERT INTO t VALUES (1)"); !w.ok()) return w;
    return Status::InvalidArgument("the body refuses");
  });
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(Number(*db, "SELECT count(*) FROM t"), 0);
  EXPECT_TRUE(db->InTransaction([&] { return db->Exec("INSERT INTO t VALUES (2)"); }).ok());
  EXPECT_EQ(Number(*db, "SELECT count(*) FROM t"), 1);
}

TEST_F(ConnectionTest, HasColumnAnswersForTheNamedTable) {
  auto db = Open();
  ASSERT_TRUE(db->Exec("CREATE TABLE t(x, y); CREATE TABLE u(z)").ok());
  EXPECT_TRUE(*db->HasColumn("t", "y"));
  EXPECT_FALSE(*db->HasColumn("t", "z"));
  EXPECT_FALSE(*db->HasColumn("absent", "x"));
}

TEST_F(ConnectionTest, ChangesCountsTheRowsOfTheLastWrite) {
  auto db = Open();
  ASSERT_TRUE(db->Exec("CREATE TABLE t(x); INSERT INTO t VALUES (1), (2), (3)").ok());
  ASSERT_TRUE(db->Exec("UPDATE t SET x = 0 WHERE x > 1").ok());
  EXPECT_EQ(db->Changes(), 2);
}

// A file that may not grow (RLIMIT_FSIZE: EFBIG, as on a full disk) is ResourceExhausted, the
// code of a full disk, read from the failed system call: SQLite itself says only "disk I/O
// error" (IOERR_WRITE), which alone would read as the server's storage failing.
TEST_F(ConnectionTest, FileThatCannotGrowIsResourceExhausted) {
  {
    auto db = Open();
    ASSERT_TRUE(db->Exec("CREATE TABLE t(body BLOB)").ok());
  }
  const std::string outcome = pictor::testing::FirstFailureWithFileSizeLimit(
      256 * 1024, [&]() -> std::optional<StatusCode> {
        auto db = Connection::Open(Path(), {});
        if (!db.ok()) return db.status().code();
        for (int i = 0; i < 100; ++i) {
          Status s = (*db)->InTransaction([&] {
            auto insert = (*db)->Prepare("INSERT INTO t VALUES (zeroblob(60000))");
            return insert.ok() ? insert->Run() : insert.status();
          });
          if (!s.ok()) return s.code();
        }
        return std::nullopt;
      });
  EXPECT_EQ(outcome, "resource_exhausted");
}

}  // namespace
}  // namespace pictor::sqlite
