// A JobRecord as the JSON object the store ledger keeps:
//   {"version": 1, "id": "...", "state": "queued", "prompt": "...", "seed": 42, "width": 1024,
//    "height": 1024, "key": "...", "error": "", "attempts": 0, "created_ms": 1700000000000,
//    "updated_ms": 1700000000000, "idempotency_key": "", "request_digest": "...",
//    "enqueued": false, "owner": "ci-bot", "model": "builtin", "cost_usd": 0.04}
// Every field is always written; "state" is JobStateName's name; times are Unix epoch
// milliseconds. "enqueued", "owner", "model" and "cost_usd" came later within version 1: a
// record without them (written before them) reads as not enqueued, without owner or model,
// costing 0, and a reader from before them ignores them, so old and new processes can share a
// store. Text that is not valid UTF-8 (a prompt cut from a raw queue message) is written
// with U+FFFD in place of the bad bytes, since JSON has no way to carry them.
//
// Pure functions, thread-safe.
#ifndef PICTOR_LEDGER_STORE_JOB_RECORD_JSON_H_
#define PICTOR_LEDGER_STORE_JOB_RECORD_JSON_H_

#include <string>
#include <string_view>

#include "pictor/job_ledger.h"
#include "pictor/status.h"

namespace pictor::ledger_store {

// The version written, and the only one read.
inline constexpr int kJobRecordVersion = 1;

std::string EncodeJobRecord(const JobRecord& record);

// Reads what EncodeJobRecord wrote. Anything else (not JSON, a key named twice, another version,
// a field missing, of the wrong type or out of range, an unknown state) is DataLoss saying what
// is wrong; fields it does not know are ignored. Never throws.
Result<JobRecord> DecodeJobRecord(std::string_view json);

}  // namespace pictor::ledger_store

#endif  // PICTOR_LEDGER_STORE_JOB_RECORD_JSON_H_
