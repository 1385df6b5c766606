#include "sqlite/status.h"

#include <sqlite3.h>

#include <string>

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

Status FromSqlite(int rc, std::string_view what, std::string_view detail) {
  std::string message(what);
  message += ": ";
  message += detail.empty() ? std::string_view(sqlite3_errstr(rc)) : detail;
  const StatusCode code = SqliteStatusCode(rc);
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

Status FromSqlite(sqlite3* db, int rc, std::string_view what) {
  if (db != nullptr && (sqlite3_errcode(db) & 0xff) == (rc & 0xff)) {
    const int extended = sqlite3_extended_errcode(db);
    return FromSqlite(extended, what, sqlite3_errmsg(db));
  }
  return FromSqlite(rc, what);
}

}  // namespace pictor::sqlite
