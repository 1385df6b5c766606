// The registry: turns specs ("file:./var/images", "sqlite:./var/queue.db", "builtin") into
// adapters. One plain function per port; an unknown scheme is an error naming the accepted ones.
#ifndef PICTOR_APP_REGISTRY_H_
#define PICTOR_APP_REGISTRY_H_

#include <memory>
#include <string>
#include <string_view>

#include "pictor/image_model.h"
#include "pictor/job_ledger.h"
#include "pictor/job_queue.h"
#include "pictor/object_store.h"
#include "pictor/status.h"

namespace pictor::app {

struct QueueSettings {
  int max_receive_count = 5;          // sqlite: dead-letter after this many receives
  std::string dead_letter_queue_url;  // SQS: where permanent failures go (else the redrive policy)
};

Result<std::unique_ptr<ImageModel>> MakeModel(std::string_view spec);
Result<std::unique_ptr<ObjectStore>> MakeStore(std::string_view spec);
Result<std::unique_ptr<JobQueue>> MakeQueue(std::string_view spec, const QueueSettings& settings);

// What a ledger spec may refer to besides itself.
struct LedgerContext {
  std::string_view queue_spec;   // "" when the command has no queue
  ObjectStore* store = nullptr;  // the image store, for "store"; may be null
  std::string_view key_prefix;   // KEY_PREFIX: "store" keeps records under <prefix>/jobs/
};

// A ledger and, for "file:DIR" and "s3://…", the store it keeps its records in (declared
// first: destroyed after the ledger).
struct LedgerParts {
  std::unique_ptr<ObjectStore> own_store;
  std::unique_ptr<JobLedger> ledger;  // null for "none"
};

// Ledger specs: sqlite:PATH; store (records as JSON objects in the image store, under
// <key prefix>/jobs/); file:DIR or s3://BUCKET[/PREFIX] (a store of their own, under jobs/);
// none. An empty spec is derived: beside a SQLite queue file "dir/queue.db" it is
// "sqlite:dir/queue.jobs.db"; otherwise none (workers run without job records and the job
// routes answer 503). Records in S3 cost a PUT per state change, so a deployment that wants
// GET /jobs/{id} on SQS asks for them (deploy/ sets PICTOR_JOBS=store on both functions).
Result<LedgerParts> MakeLedger(std::string_view spec, const LedgerContext& context);

}  // namespace pictor::app

#endif  // PICTOR_APP_REGISTRY_H_
