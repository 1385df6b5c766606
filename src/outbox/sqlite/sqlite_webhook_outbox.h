// The WebhookOutbox in a SQLite file: a `webhook_outbox` table beside the job ledger's `jobs`
// (./var/queue.ledger.db by default). A claim reads the due rows and moves their next attempt
// past the lease in one IMMEDIATE transaction, so two processes sharing the file never claim the
// same message at once.
//
// Thread-safety: thread-safe (one connection under a mutex); any number of processes may share
// the file.
#ifndef PICTOR_OUTBOX_SQLITE_SQLITE_WEBHOOK_OUTBOX_H_
#define PICTOR_OUTBOX_SQLITE_SQLITE_WEBHOOK_OUTBOX_H_

#include <memory>
#include <string>

#include "pictor/status.h"
#include "pictor/webhook_outbox.h"

namespace pictor {

// Opens (creating when missing, with its directory) the outbox table in the SQLite file `path`.
Result<std::unique_ptr<WebhookOutbox>> OpenSqliteWebhookOutbox(const std::string& path);

}  // namespace pictor

#endif  // PICTOR_OUTBOX_SQLITE_SQLITE_WEBHOOK_OUTBOX_H_
