#include "ledger/sqlite/sqlite_ledger.h"

#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "sqlite/status.h"
#include "sqlite/wal_checkpointer.h"

namespace pictor {
namespace {

using sqlite::FromSqlite;

class Statement {
 public:
  Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }
  int Prepare(sqlite3* db, const char* sql) {
    return sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

constexpr const char* kColumns =
    "id, state, prompt, seed, width, height, key, error, attempts, created_ms, updated_ms, "
    "idempotency_key, request_digest, enqueued";

class SqliteLedger final : public JobLedger {
 public:
  // Writes what is still pending, then closes. sqlite3_close_v2 waits for the statements,
  // finalized by the members' destructors after this.
  ~SqliteLedger() override {
    {
      std::lock_guard lock(pending_mu_);
      stopping_ = true;
    }
    pending_cv_.notify_all();
    if (flusher_.joinable()) flusher_.join();
    FlushPending();
    checkpointer_.reset();  // its thread locks db_mu_
    sqlite3_close_v2(db_);
  }

  Status Open(const std::string& path) {
    std::error_code ec;
    auto dir = std::filesystem::path(path).parent_path();
    if (!dir.empty()) std::filesystem::create_directories(dir, ec);
    int rc =
        sqlite3_open_v2(path.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) return FromSqlite(db_, rc, "opening job ledger " + path);
    sqlite3_busy_timeout(db_, 5000);
    const char* setup =
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA wal_autocheckpoint=0;"         // checkpointed off the request path, see Open
        "PRAGMA journal_size_limit=67108864;"  // a restarted log shrinks back to 64 MiB
        "CREATE TABLE IF NOT EXISTS jobs ("
        " id TEXT PRIMARY KEY, state INTEGER NOT NULL, prompt TEXT NOT NULL,"
        " seed INTEGER NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL,"
        " key TEXT NOT NULL, error TEXT NOT NULL, attempts INTEGER NOT NULL,"
        " created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,"
        " idempotency_key TEXT, request_digest TEXT NOT NULL,"
        " enqueued INTEGER NOT NULL DEFAULT 0);"
        "CREATE UNIQUE INDEX IF NOT EXISTS jobs_idempotency ON jobs(idempotency_key)"
        " WHERE idempotency_key IS NOT NULL;";
    rc = sqlite3_exec(db_, setup, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return FromSqlite(db_, rc, "preparing job ledger " + path);
    if (Status s = AddEnqueuedColumn(); !s.ok()) return s.WithContext(path);
    std::string cols = kColumns;
    std::string insert = "INSERT INTO jobs (" + cols + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    std::string insert_missing =
        "INSERT OR IGNORE INTO jobs (" + cols + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    std::string upsert =
        "INSERT OR REPLACE INTO jobs (" + cols + ") VALUES " + "(?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    std::string get = "SELECT " + cols + " FROM jobs WHERE id = ?";
    std::string by_key = "SELECT " + cols + " FROM jobs WHERE idempotency_key = ?";
    if ((rc = insert_.Prepare(db_, insert.c_str())) != SQLITE_OK ||
        (rc = upsert_.Prepare(db_, upsert.c_str())) != SQLITE_OK ||
        (rc = get_.Prepare(db_, get.c_str())) != SQLITE_OK ||
        (rc = by_key_.Prepare(db_, by_key.c_str())) != SQLITE_OK ||
        (rc = insert_missing_.Prepare(db_, insert_missing.c_str())) != SQLITE_OK ||
        (rc = remove_.Prepare(db_, "DELETE FROM jobs WHERE id = ?")) != SQLITE_OK ||
        (rc = mark_.Prepare(db_, "UPDATE jobs SET enqueued = 1 WHERE id = ?")) != SQLITE_OK) {
      return FromSqlite(db_, rc, "preparing job ledger statements");
    }
    auto checkpointer = WalCheckpointer::Start(path, [this](const auto& work) {
      std::lock_guard lock(db_mu_);
      work();
    });
    if (!checkpointer.ok()) return checkpointer.status();
    checkpointer_ = std::move(checkpointer).value();
    flusher_ = std::thread([this] { FlushLoop(); });
    return Status::Ok();
  }

  Result<CreateResult> Create(const JobRecord& record) override {
    if (record.idempotency_key.empty()) {
      // Nothing to look up: the record joins the next group commit (see FlushLoop).
      {
        std::lock_guard lock(pending_mu_);
        pending_[record.id] = record;
      }
      pending_cv_.notify_one();
      return CreateResult{record, true};
    }
    std::lock_guard lock(db_mu_);
    if (!record.idempotency_key.empty()) {
      auto existing = Query(by_key_.get(), record.idempotency_key);
      if (existing.ok()) return CreateResult{WithPendingMark(std::move(existing).value()), false};
      if (!existing.status().IsNotFound()) return existing.status();
    }
    int rc = Write(insert_.get(), record);
    if ((rc & 0xFF) == SQLITE_CONSTRAINT && !record.idempotency_key.empty()) {
      // Another process inserted the same key between the lookup and the insert.
      auto existing = Query(by_key_.get(), record.idempotency_key);
      if (existing.ok()) return CreateResult{WithPendingMark(std::move(existing).value()), false};
      return existing.status();
    }
    if (rc != SQLITE_DONE) return FromSqlite(db_, rc, "recording job " + record.id);
    return CreateResult{record, true};
  }

  Result<JobRecord> Get(std::string_view id) override {
    {
      std::lock_guard lock(pending_mu_);
      auto it = pending_.find(id);
      if (it != pending_.end()) return it->second;
    }
    std::lock_guard lock(db_mu_);
    auto record = Query(get_.get(), id);
    if (!record.ok()) return record;
    return WithPendingMark(std::move(record).value());
  }

  Status Put(const JobRecord& record) override {
    {
      // A later state replaces a pending creation outright.
      std::lock_guard lock(pending_mu_);
      pending_.erase(record.id);
    }
    std::lock_guard lock(db_mu_);
    int rc = Write(upsert_.get(), record);
    if (rc != SQLITE_DONE) return FromSqlite(db_, rc, "updating job " + record.id);
    return Status::Ok();
  }

  Status Remove(std::string_view id) override {
    {
      std::lock_guard lock(pending_mu_);
      auto it = pending_.find(id);
      if (it != pending_.end()) {
        pending_.erase(it);
        return Status::Ok();
      }
    }
    std::lock_guard lock(db_mu_);
    sqlite3_stmt* s = remove_.get();
    sqlite3_reset(s);
    sqlite3_bind_text(s, 1, id.data(), static_cast<int>(id.size()), SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) return FromSqlite(db_, rc, "removing job");
    return Status::Ok();
  }

  // The mark joins the next group commit: losing it in a crash costs one duplicate message.
  Status MarkEnqueued(const JobRecord& record) override {
    {
      std::lock_guard lock(pending_mu_);
      auto it = pending_.find(record.id);
      if (it != pending_.end()) {
        it->second.enqueued = true;
        return Status::Ok();
      }
      if (record.idempotency_key.empty()) return Status::Ok();  // never replayed
      marks_.insert(record.id);
    }
    pending_cv_.notify_one();
    return Status::Ok();
  }

 private:
  // Files written before the column existed get it, all their jobs unmarked: a replay of one
  // still queued sends its message again, which is harmless. Several processes may open an old
  // file at once; the losers of the race find the column there.
  Status AddEnqueuedColumn() {
    Statement has;
    int rc = has.Prepare(db_, "SELECT 1 FROM pragma_table_info('jobs') WHERE name = 'enqueued'");
    if (rc != SQLITE_OK) return FromSqlite(db_, rc, "reading the job ledger's columns");
    rc = sqlite3_step(has.get());
    sqlite3_reset(has.get());
    if (rc == SQLITE_ROW) return Status::Ok();
    if (rc != SQLITE_DONE) return FromSqlite(db_, rc, "reading the job ledger's columns");
    rc = sqlite3_exec(db_, "ALTER TABLE jobs ADD COLUMN enqueued INTEGER NOT NULL DEFAULT 0",
                      nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK &&
        std::string_view(sqlite3_errmsg(db_)).find("duplicate column") == std::string_view::npos) {
      return FromSqlite(db_, rc, "adding the enqueued column");
    }
    return Status::Ok();
  }

  JobRecord WithPendingMark(JobRecord record) {
    if (!record.enqueued) {
      std::lock_guard lock(pending_mu_);
      record.enqueued = marks_.count(record.id) > 0;
    }
    return record;
  }

  // Group commit of records created without an idempotency key: POST /jobs answers as soon as
  // the message is on the queue, and the records of many requests share one transaction a
  // few milliseconds later. Until then Get() finds them here. A crash in that window loses
  // only the "queued" record: the message is safe in the queue, and the worker that takes it
  // records the job again.
  void FlushLoop() {
    std::unique_lock lock(pending_mu_);
    while (!stopping_) {
      pending_cv_.wait(lock, [&] { return stopping_ || !pending_.empty() || !marks_.empty(); });
      if (stopping_) break;
      // Let a few more requests join the batch.
      pending_cv_.wait_for(lock, kGroupCommitWindow, [&] { return stopping_; });
      lock.unlock();
      FlushPending();
      lock.lock();
    }
  }

  void FlushPending() {
    std::map<std::string, JobRecord, std::less<>> batch;
    std::set<std::string, std::less<>> marks;
    {
      std::lock_guard lock(pending_mu_);
      batch.swap(pending_);
      marks = marks_;  // cleared once written, so Get never misses a mark meanwhile
    }
    if (batch.empty() && marks.empty()) return;
    std::lock_guard lock(db_mu_);
    bool in_transaction =
        sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
    for (const auto& [id, record] : batch) {
      // OR IGNORE: a worker may already have recorded a later state of this job.
      int rc = Write(insert_missing_.get(), record);
      if (rc != SQLITE_DONE) {
        std::fprintf(stderr, "job ledger: recording job %s failed: %s\n", id.c_str(),
                     sqlite3_errmsg(db_));
      }
    }
    for (const std::string& id : marks) {
      sqlite3_stmt* s = mark_.get();
      sqlite3_reset(s);
      sqlite3_bind_text(s, 1, id.data(), static_cast<int>(id.size()), SQLITE_TRANSIENT);
      if (sqlite3_step(s) != SQLITE_DONE) {
        std::fprintf(stderr, "job ledger: marking job %s enqueued failed: %s\n", id.c_str(),
                     sqlite3_errmsg(db_));
      }
      sqlite3_reset(s);
    }
    if (in_transaction && sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
      std::fprintf(stderr, "job ledger: committing %zu job records failed: %s\n", batch.size(),
                   sqlite3_errmsg(db_));
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    {
      // Dropped even when the commit failed, like the records: a lost mark costs only a
      // duplicate message on a replay.
      std::lock_guard lock(pending_mu_);
      for (const std::string& id : marks) marks_.erase(id);
    }
  }

  int Write(sqlite3_stmt* s, const JobRecord& r) {
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    auto text = [&](int i, const std::string& v) {
      sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    };
    text(1, r.id);
    sqlite3_bind_int(s, 2, static_cast<int>(r.state));
    text(3, r.prompt);
    sqlite3_bind_int64(s, 4, r.seed);
    sqlite3_bind_int(s, 5, r.width);
    sqlite3_bind_int(s, 6, r.height);
    text(7, r.key);
    text(8, r.error);
    sqlite3_bind_int(s, 9, r.attempts);
    sqlite3_bind_int64(s, 10, r.created_ms);
    sqlite3_bind_int64(s, 11, r.updated_ms);
    if (r.idempotency_key.empty()) {
      sqlite3_bind_null(s, 12);
    } else {
      text(12, r.idempotency_key);
    }
    text(13, r.request_digest);
    sqlite3_bind_int(s, 14, r.enqueued ? 1 : 0);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc;
  }

  Result<JobRecord> Query(sqlite3_stmt* s, std::string_view arg) {
    sqlite3_reset(s);
    sqlite3_bind_text(s, 1, arg.data(), static_cast<int>(arg.size()), SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
      sqlite3_reset(s);
      return Status::NotFound("no job " + std::string(arg));
    }
    if (rc != SQLITE_ROW) {
      Status st = FromSqlite(db_, rc, "reading job");
      sqlite3_reset(s);
      return st;
    }
    auto text = [&](int i) {
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
      return p ? std::string(p, sqlite3_column_bytes(s, i)) : std::string();
    };
    JobRecord r;
    r.id = text(0);
    int state = sqlite3_column_int(s, 1);
    r.state = state >= 0 && state <= 3 ? static_cast<JobState>(state) : JobState::kFailed;
    r.prompt = text(2);
    r.seed = static_cast<uint32_t>(sqlite3_column_int64(s, 3));
    r.width = sqlite3_column_int(s, 4);
    r.height = sqlite3_column_int(s, 5);
    r.key = text(6);
    r.error = text(7);
    r.attempts = sqlite3_column_int(s, 8);
    r.created_ms = sqlite3_column_int64(s, 9);
    r.updated_ms = sqlite3_column_int64(s, 10);
    r.idempotency_key = text(11);
    r.request_digest = text(12);
    r.enqueued = sqlite3_column_int(s, 13) != 0;
    sqlite3_reset(s);
    return r;
  }

  static constexpr std::chrono::milliseconds kGroupCommitWindow{2};

  std::mutex db_mu_;  // guards db_ and every statement: one connection, used by one thread at once
  sqlite3* db_ = nullptr;
  Statement insert_, insert_missing_, get_, by_key_, upsert_, remove_, mark_;

  std::mutex pending_mu_;  // guards pending_, marks_ and stopping_
  std::condition_variable pending_cv_;
  std::map<std::string, JobRecord, std::less<>> pending_;  // created, not yet written
  std::set<std::string, std::less<>> marks_;               // ids marked enqueued, not yet written
  bool stopping_ = false;
  std::thread flusher_;
  std::unique_ptr<WalCheckpointer> checkpointer_;
};

}  // namespace

Result<std::unique_ptr<JobLedger>> OpenSqliteLedger(const std::string& path) {
  auto ledger = std::make_unique<SqliteLedger>();
  if (Status s = ledger->Open(path); !s.ok()) return s;
  return std::unique_ptr<JobLedger>(std::move(ledger));
}

}  // namespace pictor
