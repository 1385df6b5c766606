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
//   <prefix>/index/newest/<rev>-<id>         List's index: an empty object per job, named so
//   <prefix>/index/owner/<owner>/<rev>-<id>  that key order is List's order (<rev> is
//                                            9223372036854775807 - created_ms in 19 digits);
//                                            the second only for jobs with an owner (<owner> is
//                                            the key name, or "~" + its SHA-256 for a name that
//                                            is not a valid key name)
// An idempotency key is claimed with ObjectStore::PutIfAbsent, so of several processes creating
// jobs with one key at once exactly one creates; the others get its job. This needs a store
// whose PutIfAbsent is atomic: the file store on a local filesystem, S3, or an S3-compatible
// server that honours "If-None-Match: *" on PutObject.
//
// List reads one page of an index with ListAfter (S3: one ListObjectsV2 request, since a page
// is far below its 1000 keys) from the cursor's position, then GETs the records it names: for
// `limit` jobs, 1 LIST and at most `limit` GETs (8 at a time), wherever the page is. The index says
// nothing of state (a job's state changes, its place in the index does not), so with a state filter
// a call examines at most 256 entries (1 LIST, at most 256 GETs) and may answer a short page with
// a cursor. An entry whose record is missing (a Create that failed half-way, a Remove), names
// another created_ms (a Put that changed it) or another owner is skipped: the record decides.
// Records written before the index existed are indexed by the first List of each ledger object
// that finds no <prefix>/index/complete marker: once per store, a walk of every record (a LIST
// per 1000 keys, a GET per record, its entries' PUTs), then the marker; afterwards the check is
// 1 HEAD per ledger object. Every process sharing the store should run a release that writes
// the index before the first List: records an older release writes later are not indexed.
// Create and Put write the job's index entries (1 PUT, 2 with an owner) before its record, so a
// listed entry never lacks a record for longer than a write; Remove deletes them after it.
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
