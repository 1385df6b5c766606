// The JobLedger kept in an ObjectStore: job records are small JSON objects beside the images,
// in the same directory or S3 bucket, so every process that shares the store (many `pictor
// worker` containers, Lambda functions) shares the ledger without a database.
//
// Layout, under `prefix`:
//   <prefix>/<id>.json                       the job's current record (job_record_json.h)
//   <prefix>/idempotency/<sha256 hex>.json   the record as first created with that
//                                            Idempotency-Key (SHA-256 of the key, lower-case
//                                            hex: any key makes a valid object key);
//                                            MarkEnqueued rewrites it with "enqueued": true
// An idempotency key is claimed with ObjectStore::PutIfAbsent, so of several processes creating
// jobs with one key at once exactly one creates; the others get its job. This needs a store
// whose PutIfAbsent is atomic: the file store on a local filesystem, S3, or an S3-compatible
// server that honours "If-None-Match: *" on PutObject.
//
// Every write is durable when the call returns (also for Create without a key: the store has no
// group commit). Job ids become object keys, so only ids of 1..64 characters from [0-9a-fA-F-]
// are accepted (UUIDs, which is what Pictor makes): Get answers NotFound for any other id (it
// comes from GET /jobs/{id}, user input), Create and Put InvalidArgument. An object that is not
// a record (corrupt, foreign, another version, or filed under another id) is DataLoss. The
// store's own errors pass through with the job named.
//
// Thread-safety: thread-safe; any number of ledgers in any number of processes may share a
// store and prefix.
#ifndef PICTOR_LEDGER_STORE_STORE_LEDGER_H_
#define PICTOR_LEDGER_STORE_STORE_LEDGER_H_

#include <memory>
#include <string>

#include "pictor/job_ledger.h"
#include "pictor/object_store.h"
#include "pictor/status.h"

namespace pictor {

// Opens the ledger on `store` (borrowed: it must outlive the ledger) under `prefix` ("jobs",
// "images/jobs"; empty segments are dropped, so "/images//jobs/" is "images/jobs"; empty puts
// records at the store's top level). InvalidArgument when the prefix cannot begin an object key
// (a "." or ".." segment, control characters). No I/O happens here.
Result<std::unique_ptr<JobLedger>> OpenStoreLedger(ObjectStore& store, std::string prefix);

// True for the ids the ledger accepts: 1..64 characters of [0-9a-fA-F-].
bool IsValidStoreLedgerId(std::string_view id);

}  // namespace pictor

#endif  // PICTOR_LEDGER_STORE_STORE_LEDGER_H_
