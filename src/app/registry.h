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

// The ledger spec; when empty it is derived from the queue spec: beside a SQLite queue file
// "dir/queue.db" it is "dir/queue.jobs.db". With another queue and no spec there is no ledger
// (a null pointer): workers then run without job records and GET /jobs/{id} answers 503.
Result<std::unique_ptr<JobLedger>> MakeLedger(std::string_view spec, std::string_view queue_spec);

}  // namespace pictor::app

#endif  // PICTOR_APP_REGISTRY_H_
