// A JobRecord as the JSON object the store ledger keeps:
//   {"version": 1, "id": "...", "state": "queued", "prompt": "...", "seed": 42, "width": 1024,
//    "height": 1024, "key": "...", "error": "", "attempts": 0, "created_ms": 1700000000000,
//    "updated_ms": 1700000000000, "idempotency_key": "", "request_digest": "...",
//    "enqueued": false, "owner": "ci-bot", "model": "builtin", "cost_usd": 0.04,
//    "negative_prompt": "", "started_ms": 0, "finished_ms": 0, "generation_ms": 0,
//    "webhook_url": "", "webhook": {"state": "", "attempts": 0, "last_status": 0,
//    "last_attempt_ms": 0, "last_error": ""}}
// Every field is always written; "state" is JobStateName's name; times are Unix epoch
// milliseconds. The fields from "enqueued" on came later within version 1: a record without
// them (written before them) reads as not enqueued, without owner or model, costing 0, with
// empty texts, zero times and no webhook, and a reader from before them ignores them, so old
// and new processes can share a store (a reader from before "cancelled" existed refuses a
// record in that state as damaged). cancel_requested is not in the record: the store ledger
// keeps it as an object of its own, which no Put can overwrite. Text that is not valid UTF-8 (a
// prompt cut from a raw queue message) is written with U+FFFD in place of the bad bytes, since JSON
// has no way to carry them.
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
