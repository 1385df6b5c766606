#include "sqlite/status.h"

#include <sqlite3.h>

#include <cerrno>
#include <string>
#include <system_error>

namespace pictor::sqlite {

StatusCode SqliteStatusCode(int rc) {
  switch (rc) {  // extended codes that refine their primary code
    case SQLITE_IOERR_NOMEM:
      return StatusCode::kResourceExhausted;
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_UNIQUE:
      return StatusCode::kAlreadyExists;
    default:
      break;
  }
  switch (rc & 0xff) {
    case SQLITE_FULL:
    case SQLITE_NOMEM:
      return StatusCode::kResourceExhausted;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_PROTOCOL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_IOERR:
      return StatusCode::kUnavailable;
    case SQLITE_SCHEMA:
      return StatusCode::kAborted;
    case SQLITE_INTERRUPT:
      return StatusCode::kCancelled;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return StatusCode::kDataLoss;
    case SQLITE_CONSTRAINT:
      return StatusCode::kFailedPrecondition;
    case SQLITE_TOOBIG:
      return StatusCode::kPayloadTooLarge;
    case SQLITE_NOLFS:
      return StatusCode::kUnsupported;
    default:
      return StatusCode::kInternal;
  }
}

namespace {

Status Translated(StatusCode code, int rc, std::string_view what, std::string_view detail) {
  std::string message(what);
  message += ": ";
  message += detail.empty() ? std::string_view(sqlite3_errstr(rc)) : detail;
  switch (code) {
    case StatusCode::kResourceExhausted:
      message += " (storage or memory is exhausted; retry when space is freed)";
      break;
    case StatusCode::kDataLoss:
      message += " (the database file is damaged)";
      break;
    default:
      break;
  }
  return Status(code, std::move(message));
}

// An I/O error whose system call failed because the file may not grow (a full disk, a quota,
// a file-size limit) is exhaustion, as SQLITE_FULL is: SQLite reports ENOSPC on write as FULL
// but the others (and ENOSPC from fsync) only as IOERR.
bool OutOfSpace(int system_errno) {
  return system_errno == ENOSPC || system_errno == EDQUOT || system_errno == EFBIG;
}

// The errno of the system call behind an I/O error. SQLite keeps it on the file whose call
// failed (the write-ahead log, or the database) and only sometimes on the connection. A file
// keeps its last errno until its next failure, so an old one may be read back: at worst an
// I/O error is then called exhaustion, which is retryable and the system's fault all the same.
int SystemErrno(sqlite3* db) {
  if (const int err = sqlite3_system_errno(db); err != 0) return err;
  sqlite3_file* log = nullptr;
  if (sqlite3_file_control(db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &log) == SQLITE_OK &&
      log != nullptr && log->pMethods != nullptr) {
    int err = 0;
    if (log->pMethods->xFileControl(log, SQLITE_FCNTL_LAST_ERRNO, &err) == SQLITE_OK && err != 0) {
      return err;
    }
  }
  int err = 0;
  return sqlite3_file_control(db, "main", SQLITE_FCNTL_LAST_ERRNO, &err) == SQLITE_OK ? err : 0;
}

}  // namespace

Status FromSqlite(int rc, std::string_view what, std::string_view detail) {
  return Translated(SqliteStatusCode(rc), rc, what, detail);
}

Status FromSqlite(sqlite3* db, int rc, std::string_view what) {
  if (db != nullptr && (sqlite3_errcode(db) & 0xff) == (rc & 0xff)) {
    const int extended = sqlite3_extended_errcode(db);
    if ((extended & 0xff) == SQLITE_IOERR) {
      if (const int err = SystemErrno(db); OutOfSpace(err)) {
        const std::string detail =
            std::string(sqlite3_errmsg(db)) + ": " + std::generic_category().message(err);
        return Translated(StatusCode::kResourceExhausted, extended, what, detail);
      }
    }
    return FromSqlite(extended, what, sqlite3_errmsg(db));
  }
  return FromSqlite(rc, what);
}

}  // namespace pictor::sqlite
