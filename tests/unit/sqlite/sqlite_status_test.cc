#include "sqlite/status.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <unistd.h>
#include <filesystem>
#include <string>

namespace pictor {
namespace {

struct Row {
  int rc;
  StatusCode code;
};

// The whole table of sqlite/status.h, one row per code it names.
TEST(SqliteStatusTest, EveryCodeMapsAsDocumented) {
  const Row rows[] = {
      {SQLITE_FULL, StatusCode::kResourceExhausted},
      {SQLITE_NOMEM, StatusCode::kResourceExhausted},
      {SQLITE_IOERR_NOMEM, StatusCode::kResourceExhausted},
      {SQLITE_BUSY, StatusCode::kUnavailable},
      {SQLITE_BUSY_SNAPSHOT, StatusCode::kUnavailable},
      {SQLITE_LOCKED, StatusCode::kUnavailable},
      {SQLITE_PROTOCOL, StatusCode::kUnavailable},
      {SQLITE_CANTOPEN, StatusCode::kUnavailable},
      {SQLITE_READONLY, StatusCode::kUnavailable},
      {SQLITE_READONLY_DBMOVED, StatusCode::kUnavailable},
      {SQLITE_PERM, StatusCode::kUnavailable},
      {SQLITE_IOERR, StatusCode::kUnavailable},
      {SQLITE_IOERR_WRITE, StatusCode::kUnavailable},
      {SQLITE_IOERR_FSYNC, StatusCode::kUnavailable},
      {SQLITE_SCHEMA, StatusCode::kAborted},
      {SQLITE_INTERRUPT, StatusCode::kCancelled},
      {SQLITE_CORRUPT, StatusCode::kDataLoss},
      {SQLITE_NOTADB, StatusCode::kDataLoss},
      {SQLITE_CONSTRAINT_UNIQUE, StatusCode::kAlreadyExists},
      {SQLITE_CONSTRAINT_PRIMARYKEY, StatusCode::kAlreadyExists},
      {SQLITE_CONSTRAINT, StatusCode::kFailedPrecondition},
      {SQLITE_CONSTRAINT_NOTNULL, StatusCode::kFailedPrecondition},
      {SQLITE_TOOBIG, StatusCode::kPayloadTooLarge},
      {SQLITE_NOLFS, StatusCode::kUnsupported},
      {SQLITE_ERROR, StatusCode::kInternal},
      {SQLITE_MISUSE, StatusCode::kInternal},
      {SQLITE_RANGE, StatusCode::kInternal},
      {SQLITE_OK, StatusCode::kInternal},
      {SQLITE_DONE, StatusCode::kInternal},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(sqlite::SqliteStatusCode(row.rc), row.code)
        << sqlite3_errstr(row.rc) << " " << row.rc;
    EXPECT_EQ(sqlite::FromSqlite(row.rc, "x").code(), row.code);
  }
}

TEST(SqliteStatusTest, ExhaustionAndLocksAreRetryableCorruptionIsNot) {
  EXPECT_TRUE(sqlite::FromSqlite(SQLITE_FULL, "x").IsRetryable());
  EXPECT_TRUE(sqlite::FromSqlite(SQLITE_BUSY, "x").IsRetryable());
  EXPECT_TRUE(sqlite::FromSqlite(SQLITE_IOERR_WRITE, "x").IsRetryable());
  EXPECT_FALSE(sqlite::FromSqlite(SQLITE_CORRUPT, "x").IsRetryable());
  EXPECT_FALSE(sqlite::FromSqlite(SQLITE_CONSTRAINT_UNIQUE, "x").IsRetryable());
}

TEST(SqliteStatusTest, MessageNamesWhatFailedAndSqlitesReason) {
  Status s = sqlite::FromSqlite(SQLITE_FULL, "recording job 7");
  EXPECT_EQ(s.message().rfind("recording job 7: ", 0), 0u) << s.message();
  EXPECT_NE(s.message().find(sqlite3_errstr(SQLITE_FULL)), std::string::npos) << s.message();
  EXPECT_EQ(sqlite::FromSqlite(SQLITE_BUSY, "x", "held by another").message(),
            "x: held by another");
}

// A real full database (max_page_count reached) is ResourceExhausted, read from the connection
// with its extended code and message.
TEST(SqliteStatusTest, RealFullDatabaseIsResourceExhausted) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("pictor-sqlite-status-" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE t(x BLOB); PRAGMA max_page_count=3;", nullptr, nullptr,
                         nullptr),
            SQLITE_OK);
  int rc = SQLITE_OK;
  for (int i = 0; i < 100 && rc == SQLITE_OK; ++i) {
    rc = sqlite3_exec(db, "INSERT INTO t VALUES (zeroblob(4000))", nullptr, nullptr, nullptr);
  }
  ASSERT_EQ(rc & 0xff, SQLITE_FULL);
  Status s = sqlite::FromSqlite(db, rc, "inserting");
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << s.ToString();
  EXPECT_NE(s.message().find("full"), std::string::npos) << s.message();
  sqlite3_close(db);
  std::filesystem::remove(path);
}

// Another connection's error code is not mistaken for this one's: the code passed wins.
TEST(SqliteStatusTest, ConnectionWithAnotherLastErrorKeepsTheGivenCode) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  EXPECT_EQ(sqlite::FromSqlite(db, SQLITE_BUSY, "x").code(), StatusCode::kUnavailable);
  sqlite3_close(db);
}

}  // namespace
}  // namespace pictor
