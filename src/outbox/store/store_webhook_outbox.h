// The WebhookOutbox as objects in an ObjectStore (a directory or an S3 bucket), beside the store
// ledger: one JSON object per message under `<prefix>/webhooks/pending/<id>.json`.
//
// A claim lists the pending objects (one LIST of at most kMaxListed keys, plus a GET per
// message), and leases each due one by creating `<prefix>/webhooks/leases/<id>/<attempts>-<w>`
// with PutIfAbsent, w the lease window (now / lease): of two processes claiming in the same
// window exactly one wins. A lease ends with its window, so a message claimed late in a window
// may be claimed again early in the next by another process: a duplicate attempt, which at least
// once allows. A claimed message is written again with its next attempt after the lease, so the
// others skip it without a PutIfAbsent.
//
// Thread-safety: thread-safe (no state of its own beyond the store's).
#ifndef PICTOR_OUTBOX_STORE_STORE_WEBHOOK_OUTBOX_H_
#define PICTOR_OUTBOX_STORE_STORE_WEBHOOK_OUTBOX_H_

#include <memory>
#include <string>

#include "pictor/object_store.h"
#include "pictor/status.h"
#include "pictor/webhook_outbox.h"

namespace pictor {

// The outbox under `<prefix>/webhooks/` of `store` (borrowed; outlives the outbox).
// InvalidArgument for a prefix that cannot begin a key.
Result<std::unique_ptr<WebhookOutbox>> OpenStoreWebhookOutbox(ObjectStore& store,
                                                              std::string prefix);

}  // namespace pictor

#endif  // PICTOR_OUTBOX_STORE_STORE_WEBHOOK_OUTBOX_H_
