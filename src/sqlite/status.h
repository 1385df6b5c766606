// The one translation of SQLite result codes into pictor::Status, shared by every SQLite user
// (the queue, the job ledger, the alarm state store), so one SQLite error means one thing
// everywhere: a full disk is ResourceExhausted in the queue exactly as in the ledger.
//
// The table, by primary code (extended codes refine it where noted):
//   FULL, NOMEM, IOERR_NOMEM              ResourceExhausted  the disk, a quota or memory is full
//   BUSY, LOCKED, PROTOCOL                Unavailable        another connection holds a lock
//   IOERR whose system call failed with   ResourceExhausted  the file may not grow: a full disk,
//     ENOSPC, EDQUOT or EFBIG                                    a quota, a file-size limit
//   CANTOPEN, READONLY, PERM, IOERR       Unavailable        the server's own storage failed
//   SCHEMA                                Aborted            the schema changed under a statement
//   INTERRUPT                             Cancelled
//   CORRUPT, NOTADB                       DataLoss
//   CONSTRAINT_PRIMARYKEY, _UNIQUE        AlreadyExists
//   CONSTRAINT (any other)                FailedPrecondition
//   TOOBIG                                PayloadTooLarge
//   NOLFS                                 Unsupported
//   anything else (ERROR, MISUSE, ...)    Internal           a bug in the caller
// ResourceExhausted, Unavailable and Aborted are retryable; ResourceExhausted and Unavailable
// are faults of the system, not of the work being done (see core/pipeline.h).
#ifndef PICTOR_SQLITE_STATUS_H_
#define PICTOR_SQLITE_STATUS_H_

#include <string_view>

#include "pictor/status.h"

struct sqlite3;

namespace pictor::sqlite {

// The code `rc` (primary or extended) maps to; kInternal for SQLITE_OK, ROW and DONE, which
// are not errors and should never be translated.
StatusCode SqliteStatusCode(int rc);

// "<what>: <detail> (<hint>)". `detail` is SQLite's message; when empty, the code's own text.
Status FromSqlite(int rc, std::string_view what, std::string_view detail = {});

// As above, taking the detail, the extended code and the failed system call's errno from `db`
// (may be null) when its last error is `rc`: pass the connection whenever there is one.
Status FromSqlite(sqlite3* db, int rc, std::string_view what);

}  // namespace pictor::sqlite

#endif  // PICTOR_SQLITE_STATUS_H_
