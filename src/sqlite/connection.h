// A non-throwing wrapper over one SQLite connection for the queue: cached prepared
// statements and write transactions with bounded retries. SQLite result codes become
// pictor::Status through sqlite/status.h, as everywhere.
#ifndef PICTOR_QUEUE_SQLITE_DATABASE_H_
#define PICTOR_QUEUE_SQLITE_DATABASE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "pictor/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace pictor::sqlite_queue {

// A prepared statement borrowed from a Database's cache. Reset and unbound when this
// handle goes out of scope, so the next user starts clean. Not thread-safe.
class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, std::string_view text);  // copied by SQLite

  // Advances: true when a row is available, false when done; an error Status otherwise.
  Result<bool> Step();
  // Runs a statement that returns no rows to completion.
  Status Run();
  // Makes the statement ready to run again with new bindings.
  void Reset();

  int64_t Int(int column) const;
  std::string Text(int column) const;

 private:
  sqlite3_stmt* stmt_;
};

// One connection. Not thread-safe: the owner serialises calls (the queue holds a mutex).
class Database {
 public:
  // Opens or creates the file in WAL mode with a busy timeout; `sync_every_commit` picks
  // synchronous=FULL instead of NORMAL.
  static Result<std::unique_ptr<Database>> Open(const std::string& path, bool sync_every_commit);
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // Runs SQL text with no parameters and no results (schema, pragmas).
  Status Exec(const char* sql);

  // A cached statement for `sql`, which must be a string literal (its address is the key).
  Result<std::unique_ptr<Statement>> Prepare(const char* sql);

  // Runs `body` inside BEGIN IMMEDIATE ... COMMIT; rolls back when body fails. When SQLite is
  // busy (another process holds the write lock past the busy timeout) the whole transaction is
  // retried a bounded number of times with jittered backoff, then Unavailable is returned.
  // `body` must therefore be safe to run again: it should rebuild its outputs from scratch.
  Status InTransaction(const std::function<Status()>& body);

  int64_t Changes() const;

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  Status RunCached(const char* sql);
  Status Error(int rc, std::string_view context) const;

  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> statements_;
};

}  // namespace pictor::sqlite_queue

#endif  // PICTOR_QUEUE_SQLITE_DATABASE_H_
