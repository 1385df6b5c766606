// The one SQLite layer, shared by every SQLite user (the queue, the job ledger, the alarm state
// store, and any new table of Pictor's): a connection opened the project's way, its cached
// prepared statements (sqlite/statement.h), and write transactions that roll back unless
// committed. Errors are pictor::Status through sqlite/status.h; nothing here throws.
//
// Every connection is opened the same way, so one file behaves the same whoever opens it:
//   - the file's directory is created when missing (PermissionDenied naming it when it cannot be);
//   - journal_mode=WAL: readers run beside the one writer, and a commit is an append to the log;
//   - synchronous=NORMAL, or FULL with `sync_every_commit` (an fsync per commit);
//   - a busy timeout of 5 s, after which a lock held by another process is Unavailable;
//   - extended result codes, so errors are translated with their precise code;
//   - journal_size_limit of 64 MiB: a restarted log is cut back instead of keeping a burst's size;
//   - foreign keys enforced only with `foreign_keys` (SQLite's default, off, otherwise);
//   - automatic checkpoints, unless `checkpoint_in_background`: then wal_autocheckpoint=0 and the
//     owner runs a WalCheckpointer (sqlite/wal_checkpointer.h) so that no commit pays for one.
//
// A new table of Pictor's starts like this (see the job ledger for a complete adapter):
//   sqlite::ConnectionOptions options;
//   options.name = "key store";  // in every message
//   auto db = sqlite::Connection::Open(path, options);
//   if (!db.ok()) return db.status();
//   Status s = (*db)->InTransaction([&] {    // schema, and its upgrades (HasColumn)
//     return (*db)->Exec("CREATE TABLE IF NOT EXISTS keys(id TEXT PRIMARY KEY, ...)");
//   });
//   auto find = (*db)->Prepare("SELECT ... FROM keys WHERE id = ?1");  // cached after the first
//   auto row = find->Bind(1, id).Step();  // Result<bool>: a row, done, or a translated error
//
// Thread-safety: a Connection is not thread-safe. Its owner serialises every call, and the use
// of every Statement and Transaction it hands out, under one mutex (opened with
// SQLITE_OPEN_NOMUTEX: SQLite's own locking would only repeat that mutex).
#ifndef PICTOR_SQLITE_CONNECTION_H_
#define PICTOR_SQLITE_CONNECTION_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "pictor/status.h"
#include "sqlite/statement.h"

struct sqlite3;
struct sqlite3_stmt;

namespace pictor::sqlite {

struct ConnectionOptions {
  // What the file is, for messages: "queue database", "job ledger", ...
  std::string name = "database";
  // synchronous=FULL instead of NORMAL: durable against power loss too, several times slower.
  // NORMAL keeps every commit through the death of any process (the OS keeps the page cache).
  bool sync_every_commit = false;
  // wal_autocheckpoint=0: the owner checkpoints from a WalCheckpointer instead.
  bool checkpoint_in_background = false;
  bool foreign_keys = false;
  std::chrono::milliseconds busy_timeout{5000};
};

class Connection;

// A write transaction (BEGIN IMMEDIATE) that rolls back when destroyed without a successful
// Commit, so an early return cannot leave a transaction open. Must not outlive its Connection.
class Transaction {
 public:
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  // Commits; on failure (for example a full disk) the transaction is still rolled back when
  // this guard goes away.
  Status Commit();

 private:
  friend class Connection;
  explicit Transaction(Connection* connection) : connection_(connection) {}
  Connection* connection_;  // null once committed or moved from
};

class Connection {
 public:
  // Opens or creates the database at `path` (see the top of this file).
  // Errors: InvalidArgument for an empty path, PermissionDenied when its directory cannot be
  // made, otherwise as sqlite/status.h translates (Unavailable when the file cannot be opened,
  // DataLoss when it is not a database).
  static Result<std::unique_ptr<Connection>> Open(const std::string& path,
                                                  const ConnectionOptions& options);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();  // finalizes the cached statements and closes

  // Runs SQL text with no parameters and no results: one statement or several separated by
  // ';' (a schema, pragmas).
  Status Exec(std::string_view sql);

  // A statement for `sql`, prepared once and cached for the life of the connection. When the
  // cached one is still held by another handle, the new handle gets a fresh statement of its own.
  Result<Statement> Prepare(std::string_view sql);

  // BEGIN IMMEDIATE: takes the write lock now, waiting up to the busy timeout for another
  // process's writer.
  Result<Transaction> Begin();

  // Runs `body` inside Begin() ... Commit(); rolls back when body fails. When the write lock
  // stays busy past the busy timeout (Unavailable) the whole transaction is tried again, a
  // bounded number of times with jittered backoff. `body` must therefore be safe to run
  // again: it rebuilds its outputs from scratch.
  Status InTransaction(const std::function<Status()>& body);

  // Whether `table` has a column named `column` (for schema upgrades).
  Result<bool> HasColumn(std::string_view table, std::string_view column);

  // Rows changed by the last INSERT, UPDATE or DELETE.
  int64_t Changes() const;

  const std::string& path() const { return path_; }
  const std::string& name() const { return options_.name; }

  // `rc` with this connection's extended code and message, as "<name>: <what>: <message>".
  Status Error(int rc, std::string_view what) const;

 private:
  friend class Statement;
  friend class Transaction;
  Connection(sqlite3* db, std::string path, ConnectionOptions options);
  Status Configure();
  // PRAGMA journal_mode=WAL, waiting up to the busy timeout for another connection creating the
  // file.
  Status EnterWalMode();
  Status RunCached(std::string_view sql);
  bool InTransactionNow() const;

  struct CachedStatement {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  // Finds a cached statement by the text of its SQL without building a string.
  struct SqlHash {
    using is_transparent = void;
    size_t operator()(std::string_view sql) const { return std::hash<std::string_view>{}(sql); }
  };

  sqlite3* db_;
  const std::string path_;
  const ConnectionOptions options_;
  std::unordered_map<std::string, CachedStatement, SqlHash, std::equal_to<>> statements_;
};

}  // namespace pictor::sqlite

#endif  // PICTOR_SQLITE_CONNECTION_H_
