// The SpendLedger kept in an ObjectStore, under `<prefix>/spend/`, so that processes on many
// machines that share a bucket (workers, Lambda functions) share the budgets without a database.
//
// Layout: one small object per charge, whose key carries everything a sum needs, so that a
// budget check is a LIST and never a GET per charge:
//   <prefix>/spend/<YYYY-MM-DD>/<id>,<at_ms>,<usd_micros>,<model>,<owner>
// <id> is the charge id percent-encoded (RFC 3986 unreserved characters stay, so ',' never
// appears inside a field); the UTC day folder groups a day's charges, and a month is the
// listing of the prefix "<prefix>/spend/<YYYY-MM>-". The body repeats the charge as JSON, for
// people.
//
// Exactness: an object store has no transaction across a LIST and a PUT, so a charge is checked
// (LIST of the period) and then recorded (PUT). Two chargers racing each see the spend without
// the other's image, so the overshoot of a budget is bounded by one image per concurrent
// charger (a worker's executor, a request being served), never more: a charger that starts after
// another's PUT returned sees it (S3 lists are strongly consistent). docs/DECISIONS.md says more.
//
// Refund finds the charge by its id in the folders of the day it was charged, which the ledger
// remembers for the charges it made; a charge another process made is looked for in the current
// and previous UTC day (a refund follows its charge by one model call).
//
// Cost on S3: Charge is one LIST per budget period (a page per 1000 charges in the period) plus
// one LIST to find an earlier charge of the same id, and one PUT; Check is the LISTs; Refund a
// DELETE (plus LISTs for a charge it did not make); Since a LIST per day since `since_ms`.
//
// Thread-safety: thread-safe; any number of ledgers in any number of processes may share a store
// and prefix.
#ifndef PICTOR_SPEND_STORE_STORE_SPEND_LEDGER_H_
#define PICTOR_SPEND_STORE_STORE_SPEND_LEDGER_H_

#include <memory>
#include <string>

#include "core/clock.h"
#include "pictor/object_store.h"
#include "pictor/spend_ledger.h"
#include "pictor/status.h"

namespace pictor {

// Opens the ledger on `store` (borrowed: it must outlive the ledger) under `prefix` (charges go
// under "<prefix>/spend/"; empty segments are dropped). `clock` (borrowed; null: the system's)
// says which days Refund and Since look at. InvalidArgument when the prefix cannot begin an
// object key. No I/O happens here.
Result<std::unique_ptr<SpendLedger>> OpenStoreSpendLedger(ObjectStore& store, std::string prefix,
                                                          const Clock* clock = nullptr);

}  // namespace pictor

#endif  // PICTOR_SPEND_STORE_STORE_SPEND_LEDGER_H_
