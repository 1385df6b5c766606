#include "queue/sqlite/database.h"

#include <sqlite3.h>

#include <chrono>
#include <random>
#include <thread>

#include "sqlite/status.h"

namespace pictor::sqlite_queue {
namespace {

constexpr int kBusyTimeoutMs = 5000;
constexpr int kTransactionAttempts = 4;

}  // namespace

Statement::~Statement() { Reset(); }

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Statement& Statement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::Bind(int index, std::string_view text) {
  sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

Result<bool> Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlite::FromSqlite(sqlite3_db_handle(stmt_), rc, "queue database");
}

Status Statement::Run() {
  for (;;) {
    auto row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
  }
}

int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::Text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  const int size = sqlite3_column_bytes(stmt_, column);
  return text == nullptr ? std::string() : std::string(text, static_cast<size_t>(size));
}

Result<std::unique_ptr<Database>> Database::Open(const std::string& path, bool sync_every_commit) {
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status status = sqlite::FromSqlite(raw, rc, "cannot open queue database " + path);
    sqlite3_close_v2(raw);
    return status;
  }
  std::unique_ptr<Database> db(new Database(raw));
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  sqlite3_extended_result_codes(raw, 1);
  // WAL lets readers run beside the one writer and, with synchronous=NORMAL, makes a commit a
  // write() to the log: it survives the death of any process (the OS keeps the page cache),
  // but not a power failure. FULL adds an fsync per commit.
  if (Status s = db->Exec("PRAGMA journal_mode=WAL"); !s.ok()) return s.WithContext(path);
  // A checkpoint costs two fsyncs however little it copies: run inside a commit it stalls that
  // request (and everyone queued behind it) for milliseconds. The queue checkpoints from a
  // thread of its own instead (sqlite/wal_checkpointer.h), so commits only append to the log.
  if (Status s = db->Exec("PRAGMA wal_autocheckpoint=0"); !s.ok()) return s.WithContext(path);
  // When the log restarts after a burst, it is cut back to this size instead of keeping the
  // burst's size on disk.
  if (Status s = db->Exec("PRAGMA journal_size_limit=67108864"); !s.ok()) {
    return s.WithContext(path);
  }
  if (Status s =
          db->Exec(sync_every_commit ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
      !s.ok()) {
    return s.WithContext(path);
  }
  return db;
}

Database::~Database() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Status Database::Error(int rc, std::string_view context) const {
  return sqlite::FromSqlite(db_, rc, context);
}

Status Database::Exec(const char* sql) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &error);
  sqlite3_free(error);
  return rc == SQLITE_OK ? Status::Ok() : Error(rc, "queue database");
}

Result<std::unique_ptr<Statement>> Database::Prepare(const char* sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return Error(rc, "queue database (prepare)");
    it = statements_.emplace(sql, stmt).first;
  }
  return std::make_unique<Statement>(it->second);
}

Status Database::InTransaction(const std::function<Status()>& body) {
  thread_local std::minstd_rand jitter{std::random_device{}()};
  Status last;
  for (int attempt = 0; attempt < kTransactionAttempts; ++attempt) {
    if (attempt > 0) {
      // Bounded, jittered backoff: up to 10, 20, 40 ms.
      std::uniform_int_distribution<int> pause(1, 10 << (attempt - 1));
      std::this_thread::sleep_for(std::chrono::milliseconds(pause(jitter)));
    }
    last = RunCached("BEGIN IMMEDIATE");
    if (last.ok()) {
      last = body();
      if (last.ok()) last = RunCached("COMMIT");
      if (!last.ok() && !sqlite3_get_autocommit(db_)) (void)RunCached("ROLLBACK");
    }
    if (last.ok() || last.code() != StatusCode::kUnavailable) return last;
  }
  return last.WithContext("gave up after " + std::to_string(kTransactionAttempts) + " attempts");
}

Status Database::RunCached(const char* sql) {
  auto stmt = Prepare(sql);
  return stmt.ok() ? (*stmt)->Run() : stmt.status();
}

int64_t Database::Changes() const { return sqlite3_changes64(db_); }

}  // namespace pictor::sqlite_queue
