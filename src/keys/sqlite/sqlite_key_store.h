// The KeyStore in a SQLite file: a table `api_keys` in the job ledger's file (`--jobs
// sqlite:PATH`, by default beside a SQLite queue), so one file holds a deployment's jobs, spend
// and keys, and every process on the host that opens it sees the same keys at once.
//
// A name is the table's primary key: of several processes creating one name at once exactly one
// succeeds, the others get AlreadyExists. Each call is one statement (WAL mode: readers never
// wait for the writer). A row that fails ValidateApiKeyRecord (edited by hand, damaged) is
// DataLoss naming the key; List fails as a whole then, since an authenticator must not silently
// forget a revocation. SQLite's own errors pass through as sqlite/status.h translates them
// (Unavailable when the file cannot be opened or stays locked past the busy timeout).
//
// Thread-safety: thread-safe (one connection behind one mutex); any number of processes may
// share the file.
#ifndef PICTOR_KEYS_SQLITE_SQLITE_KEY_STORE_H_
#define PICTOR_KEYS_SQLITE_SQLITE_KEY_STORE_H_

#include <memory>
#include <string>

#include "pictor/api_keys.h"
#include "pictor/status.h"

namespace pictor {

// Opens the key store in the SQLite file at `path`, creating the file (with its directory) and
// the table when missing.
Result<std::unique_ptr<KeyStore>> OpenSqliteKeyStore(const std::string& path);

}  // namespace pictor

#endif  // PICTOR_KEYS_SQLITE_SQLITE_KEY_STORE_H_
