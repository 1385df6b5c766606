// The SpendLedger in a SQLite file: a `spend` table beside the job ledger's `jobs` (one file per
// queue, ./var/queue.ledger.db by default). A charge is checked against its budgets and
// recorded in one IMMEDIATE transaction, which holds the file's write lock from the first read
// to the commit: processes sharing the file take turns, so no two of them can both see room for
// the last image. Amounts are kept as whole micro-USD so that sums are exact.
//
// Thread-safety: thread-safe (one connection under a mutex); any number of processes may share
// the file.
#ifndef PICTOR_SPEND_SQLITE_SQLITE_SPEND_LEDGER_H_
#define PICTOR_SPEND_SQLITE_SQLITE_SPEND_LEDGER_H_

#include <memory>
#include <string>

#include "pictor/spend_ledger.h"
#include "pictor/status.h"

namespace pictor {

// Opens (creating when missing, with its directory) the spend table in the SQLite file `path`.
Result<std::unique_ptr<SpendLedger>> OpenSqliteSpendLedger(const std::string& path);

}  // namespace pictor

#endif  // PICTOR_SPEND_SQLITE_SQLITE_SPEND_LEDGER_H_
