// The pipeline's one job step, shared by the HTTP API, `pictor worker`, `pictor serve`'s
// in-process workers and (later) the Lambda SQS handler: a request becomes a stored PNG, or a
// failure classified as retryable or permanent.
#ifndef PICTOR_CORE_PIPELINE_H_
#define PICTOR_CORE_PIPELINE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/validation.h"
#include "pictor/image_model.h"
#include "pictor/job_ledger.h"
#include "pictor/job_queue.h"
#include "pictor/metrics.h"
#include "pictor/object_store.h"

namespace pictor {

// Borrowed adapters and settings. The adapters outlive the Pipeline. Thread-safe because every
// adapter is.
struct Pipeline {
  Pipeline(ImageModel& m, ObjectStore& s) : model(m), store(s) {}

  ImageModel& model;
  ObjectStore& store;
  JobLedger* ledger = nullptr;         // optional: job status for GET /jobs/{id}
  MetricsRegistry* metrics = nullptr;  // optional
  std::string key_prefix;              // KEY_PREFIX, may be empty
  RequestLimits limits;
  RequestDefaults queue_defaults{512, 512};
  std::string model_label;  // the model spec for metrics ("builtin")
};

enum class ImageOrigin { kApi, kQueue };

// `<prefix>/generated_images/[from_queue/]<model>_<seed>_<unique>.png`. `unique` (a job or
// request id) keeps two jobs apart; characters outside [A-Za-z0-9-] are dropped and a long id
// is replaced by its hash.
std::string ImageKey(std::string_view prefix, ImageOrigin origin, std::string_view model,
                     uint32_t seed, std::string_view unique);

struct StoredImage {
  std::string key;
  GeneratedImage image;
  bool reused = false;  // the key already held the image (a redelivered job)
};

// Checks the request against core limits and the model, generates, and stores under `key`.
// When `reuse_existing` and the key already holds an object, nothing is generated again.
Result<StoredImage> GenerateAndStore(const Pipeline& pipeline, const GenerationRequest& request,
                                     const std::string& key, bool reuse_existing);

enum class JobOutcome { kSucceeded, kRetry, kDeadLetter };

struct JobResult {
  JobOutcome outcome = JobOutcome::kSucceeded;
  std::string job_id;
  std::string key;
  Status error;  // set unless succeeded
};

// Processes one queue message: parse, validate, generate, store, record in the ledger. Does not
// touch the queue: the caller deletes, retries or dead-letters from the outcome.
// `max_attempts`: a retryable failure on this attempt or later becomes a dead letter.
JobResult RunJob(const Pipeline& pipeline, const ReceivedMessage& message, int max_attempts);

// Current time in Unix epoch milliseconds.
int64_t NowMs();

}  // namespace pictor

#endif  // PICTOR_CORE_PIPELINE_H_
