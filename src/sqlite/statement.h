// A prepared SQLite statement, as handed out by Connection::Prepare (sqlite/connection.h):
// bind parameters, step through rows, read columns. Every SQLite error comes back as a
// pictor::Status through the one translation in sqlite/status.h, with the connection's
// extended code and message; a failed Bind is reported by the next Step instead of being lost.
//
// Thread-safety: not thread-safe; it belongs to its connection, whose owner serialises use.
#ifndef PICTOR_SQLITE_STATEMENT_H_
#define PICTOR_SQLITE_STATEMENT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "pictor/status.h"

struct sqlite3_stmt;

namespace pictor::sqlite {

class Connection;

// A handle on a prepared statement: usually one borrowed from its connection's cache, which
// gets it back rewound and unbound when the handle is destroyed, so the next user starts
// clean. Destroy (or Reset) a handle on a SELECT before committing: an unfinished read keeps
// its snapshot open. The handle must not outlive its Connection.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameters are numbered from 1 (?1, ?2 ... or the position of each ?). Text is copied by
  // SQLite; an empty view binds the empty string, never NULL.
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, std::string_view text);
  Statement& BindNull(int index);

  // Advances: true when a row is available, false when done; an error Status otherwise
  // (including the first failed Bind since the last Reset).
  Result<bool> Step();
  // Runs a statement that returns no rows to completion.
  Status Run();
  // Makes the statement ready to run again: rewound, parameters cleared.
  void Reset();

  // The current row's columns, numbered from 0. Valid after Step() returned true.
  int64_t Int(int column) const;
  std::string Text(int column) const;  // "" for NULL
  bool IsNull(int column) const;

 private:
  friend class Connection;
  // `in_use` is the cache entry's flag, cleared when the handle lets go; null for a statement
  // this handle owns and finalizes.
  Statement(const Connection* connection, sqlite3_stmt* stmt, bool* in_use);
  void Release();
  void NoteBindError(int rc, int index);

  const Connection* connection_;
  sqlite3_stmt* stmt_;
  bool* in_use_;
  Status bind_error_;  // the first failed Bind since the last Reset
};

}  // namespace pictor::sqlite

#endif  // PICTOR_SQLITE_STATEMENT_H_
