// The JobLedger on a SQLite file (WAL mode), the embedded default beside the SQLite queue.
#ifndef PICTOR_LEDGER_SQLITE_SQLITE_LEDGER_H_
#define PICTOR_LEDGER_SQLITE_SQLITE_LEDGER_H_

#include <memory>
#include <string>

#include "pictor/job_ledger.h"
#include "pictor/status.h"

namespace pictor {

// Opens (creating when missing, with its directory) the ledger at `path`.
Result<std::unique_ptr<JobLedger>> OpenSqliteLedger(const std::string& path);

}  // namespace pictor

#endif  // PICTOR_LEDGER_SQLITE_SQLITE_LEDGER_H_
