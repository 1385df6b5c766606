#include "sqlite/connection.h"

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <thread>
#include <utility>

#include "core/backoff.h"
#include "sqlite/status.h"

namespace pictor::sqlite {
namespace {

constexpr int kTransactionAttempts = 4;
// Between attempts of a busy transaction: up to 10, 20, 40 ms.
constexpr BackoffPolicy kTransactionBackoff{.base = std::chrono::milliseconds(10),
                                            .cap = std::chrono::milliseconds(40)};
// Between requests for WAL mode while another connection creates the file: up to 5, 10, 20,
// then 40 ms, until the busy timeout.
constexpr BackoffPolicy kWalModeBackoff{.base = std::chrono::milliseconds(5),
                                        .cap = std::chrono::milliseconds(40)};
constexpr const char* kJournalSizeLimit = "PRAGMA journal_size_limit=67108864";  // 64 MiB

Status CreateParentDirectory(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return Status::Ok();
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) {
    // Said here: SQLite would only say "unable to open database file".
    return Status::PermissionDenied("cannot create directory " + parent.string() + " for " + path +
                                    ": " + ec.message());
  }
  return Status::Ok();
}

}  // namespace

Transaction::Transaction(Transaction&& other) noexcept
    : connection_(std::exchange(other.connection_, nullptr)) {}

Transaction::~Transaction() {
  // A failed statement or COMMIT may already have ended the transaction (SQLite rolls back by
  // itself on some errors); otherwise it is still open and must not outlive this guard.
  if (connection_ != nullptr && connection_->InTransactionNow()) {
    (void)connection_->RunCached("ROLLBACK");
  }
}

Status Transaction::Commit() {
  if (connection_ == nullptr) return Status::Internal("transaction already committed");
  Status s = connection_->RunCached("COMMIT");
  if (s.ok()) connection_ = nullptr;
  return s;
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path,
                                                     const ConnectionOptions& options) {
  if (path.empty()) return Status::InvalidArgument(options.name + " path is empty");
  if (Status s = CreateParentDirectory(path); !s.ok()) return s;
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status status = FromSqlite(raw, rc, "cannot open " + options.name + " " + path);
    sqlite3_close_v2(raw);
    return status;
  }
  std::unique_ptr<Connection> connection(new Connection(raw, path, options));
  if (Status s = connection->Configure(); !s.ok()) return s.WithContext(path);
  return connection;
}

Connection::Connection(sqlite3* db, std::string path, ConnectionOptions options)
    : db_(db), path_(std::move(path)), options_(std::move(options)) {}

Connection::~Connection() {
  for (auto& [sql, cached] : statements_) sqlite3_finalize(cached.stmt);
  sqlite3_close_v2(db_);
}

Status Connection::Configure() {
  sqlite3_busy_timeout(db_, static_cast<int>(options_.busy_timeout.count()));
  sqlite3_extended_result_codes(db_, 1);
  // The first statement reads the file: a file that is not a database fails here (DataLoss).
  if (Status s = EnterWalMode(); !s.ok()) return s;
  if (Status s = Exec(options_.sync_every_commit ? "PRAGMA synchronous=FULL"
                                                 : "PRAGMA synchronous=NORMAL");
      !s.ok()) {
    return s;
  }
  if (Status s = Exec(kJournalSizeLimit); !s.ok()) return s;
  if (options_.checkpoint_in_background) {
    // A checkpoint costs two fsyncs however little it copies: run inside a commit it stalls that
    // request (and everyone queued behind it) for milliseconds.
    if (Status s = Exec("PRAGMA wal_autocheckpoint=0"); !s.ok()) return s;
  }
  if (options_.foreign_keys) {
    if (Status s = Exec("PRAGMA foreign_keys=ON"); !s.ok()) return s;
  }
  return Status::Ok();
}

Status Connection::EnterWalMode() {
  // Another process may be creating the same file: while it still writes in the rollback journal
  // (converting the file to WAL is such a write), asking for WAL needs a lock upgrade that SQLite
  // refuses at once, without the busy handler, to avoid a deadlock. So wait here, as the busy
  // timeout promises, in short jittered steps.
  const auto deadline = std::chrono::steady_clock::now() + options_.busy_timeout;
  for (int attempt = 1;; ++attempt) {
    Status s = Exec("PRAGMA journal_mode=WAL");
    if (s.ok() || s.code() != StatusCode::kUnavailable ||
        std::chrono::steady_clock::now() >= deadline) {
      return s;
    }
    std::this_thread::sleep_for(FullJitterDelay(kWalModeBackoff, attempt));
  }
}

Status Connection::Error(int rc, std::string_view what) const {
  std::string context = options_.name;
  if (!what.empty()) {
    context += ": ";
    context += what;
  }
  return FromSqlite(db_, rc, context);
}

Status Connection::Exec(std::string_view sql) {
  const std::string text(sql);  // sqlite3_exec wants a terminated string
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? Status::Ok() : Error(rc, {});
}

Result<Statement> Connection::Prepare(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return Error(rc, "preparing a statement");
    it = statements_.emplace(std::string(sql), CachedStatement{stmt, false}).first;
  }
  if (!it->second.in_use) {
    it->second.in_use = true;
    return Statement(this, it->second.stmt, &it->second.in_use);
  }
  // The cached one is busy (a nested use of the same SQL): a statement of this handle's own.
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return Error(rc, "preparing a statement");
  }
  return Statement(this, stmt, nullptr);
}

Result<Transaction> Connection::Begin() {
  if (Status s = RunCached("BEGIN IMMEDIATE"); !s.ok()) return s;
  return Transaction(this);
}

Status Connection::InTransaction(const std::function<Status()>& body) {
  Status last;
  for (int attempt = 0; attempt < kTransactionAttempts; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(FullJitterDelay(kTransactionBackoff, attempt));
    auto transaction = Begin();
    if (transaction.ok()) {
      last = body();
      if (last.ok()) last = transaction->Commit();
    } else {
      last = transaction.status();
    }
    if (last.ok() || last.code() != StatusCode::kUnavailable) return last;
  }
  return last.WithContext("gave up after " + std::to_string(kTransactionAttempts) + " attempts");
}

Result<bool> Connection::HasColumn(std::string_view table, std::string_view column) {
  auto has = Prepare("SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2");
  if (!has.ok()) return has.status();
  return has->Bind(1, table).Bind(2, column).Step();
}

int64_t Connection::Changes() const { return sqlite3_changes64(db_); }

Status Connection::RunCached(std::string_view sql) {
  auto stmt = Prepare(sql);
  return stmt.ok() ? stmt->Run() : stmt.status();
}

bool Connection::InTransactionNow() const { return sqlite3_get_autocommit(db_) == 0; }

}  // namespace pictor::sqlite
