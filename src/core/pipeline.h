// The pipeline's one job step, shared by the HTTP API, `pictor worker`, `pictor serve`'s
// in-process workers and (later) the Lambda SQS handler: a request becomes a stored PNG, or a
// failure classified as retryable or permanent.
#ifndef PICTOR_CORE_PIPELINE_H_
#define PICTOR_CORE_PIPELINE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/job_observer.h"
#include "core/spend.h"
#include "core/validation.h"
#include "pictor/image_model.h"
#include "pictor/job_ledger.h"
#include "pictor/job_queue.h"
#include "pictor/metrics.h"
#include "pictor/object_store.h"
#include "pictor/spend_ledger.h"

namespace pictor {

// Everything a Pipeline is configured with besides its model and store, built once from settings
// (app/settings.cc, PipelineOptionsFrom) and passed whole: a pipeline over decorated adapters
// (the Lambda's timed model and store) takes the same value, so no option can be left behind.
// Like leveldb::Options, it borrows the optional ledger and metrics; they outlive the Pipeline.
struct PipelineOptions {
  JobLedger* ledger = nullptr;         // optional: job status for GET /jobs/{id}
  MetricsRegistry* metrics = nullptr;  // optional
  std::string key_prefix;              // KEY_PREFIX, may be empty
  RequestLimits limits;
  RequestDefaults job_size;  // the size of a queue job that names none (kDefaultImageWidth...)
  std::string model_label;   // the model spec for metrics ("builtin")
  // Spend (pictor/spend_ledger.h): every image with a price is charged to `spend` before the
  // model is called, against `budgets` (the global ones: serve/worker --budget) and those
  // `owner_budgets` gives for the charge's owner. Without `spend` nothing is charged; app
  // refuses budgets without a ledger to keep them.
  SpendLedger* spend = nullptr;
  std::vector<Budget> budgets;
  OwnerBudgets* owner_budgets = nullptr;  // optional: an API key's own budgets
  const Clock* clock = nullptr;           // null: the system's; what charges are dated by
  // Optional: told of every state RunJob records (core/job_observer.h).
  JobObserver* observer = nullptr;

  bool operator==(const PipelineOptions&) const = default;
};

// Borrowed adapters plus the options. The adapters outlive the Pipeline. Thread-safe because
// every adapter is. The options are a public base rather than a member so that every reader
// keeps saying `pipeline.key_prefix`; what matters is that they are constructed whole.
struct Pipeline : PipelineOptions {
  Pipeline(ImageModel& m, ObjectStore& s, PipelineOptions o = {})
      : PipelineOptions(std::move(o)), model(m), store(s) {}

  const PipelineOptions& options() const { return *this; }
  // What a job's record says it runs on: model_label (the spec), else the model's Name().
  std::string ModelLabel() const { return model_label.empty() ? model.Name() : model_label; }
  int64_t ClockMs() const { return clock != nullptr ? clock->NowMs() : SystemClock().NowMs(); }

  ImageModel& model;
  ObjectStore& store;
};

enum class ImageOrigin { kApi, kQueue };

// `<prefix>/generated_images/`: where every image ImageKey names lives, and nothing else (the
// ledger, keys, spend and outbox objects that may share the store live beside it).
std::string ImageKeyPrefix(std::string_view prefix);

// `<prefix>/generated_images/[from_queue/]<model>_<seed>_<unique>.png`. `unique` (a job or
// request id) keeps two jobs apart; characters outside [A-Za-z0-9-] are dropped and a long id
// is replaced by its hash.
std::string ImageKey(std::string_view prefix, ImageOrigin origin, std::string_view model,
                     uint32_t seed, std::string_view unique);

struct StoredImage {
  std::string key;
  GeneratedImage image;
  bool reused = false;  // the key already held the image (a redelivered job)
  // The model made the image but `withhold` said not to store it: nothing is under `key`.
  bool withheld = false;
  double cost_usd = 0;        // the list price charged for it; 0 when reused
  int64_t generation_ms = 0;  // how long the model took; 0 when reused
};

// Whom an image is charged to, and under which charge id.
struct Attribution {
  std::string owner;      // the API key's name; empty: no key (only the global budgets apply)
  std::string charge_id;  // unique per image ("job:<id>", "req:<uuid>"); empty: a new UUID
};

// Every budget a charge by `owner` must fit: the pipeline's global budgets, then the owner's
// from owner_budgets. The API's admission check asks the same (SpendLedger::Check) before it
// queues a job. An error of owner_budgets comes back as it is.
Result<std::vector<BudgetScope>> BudgetScopesOf(const PipelineOptions& options,
                                                std::string_view owner);

// Whether the global budgets have room for one more image of the pipeline's job size: OK, or
// the QuotaExceeded that Charge would answer (with the reset as retry_at_ms). OK without a spend
// ledger, without global budgets, or for a free model. Workers receive nothing while it is not OK.
Status GlobalBudgetRoom(const Pipeline& pipeline);

// "2026-03-11T00:00:00Z": a budget's reset, for people.
std::string FormatUtcTime(int64_t epoch_ms);

// Checks the request against core limits and the model, generates, and stores under `key`.
// When `reuse_existing` and the key already holds an object, nothing is generated again.
// With a spend ledger, an image with a price is charged to `attribution` before the model is
// called (a spent budget: QuotaExceeded, and the model is not called) and refunded when the
// model made no image; an image made and then not stored stays charged (it was paid for).
// `withhold`, when given, is asked after the model made the image and before it is stored; true
// (the job was cancelled meanwhile) returns the image unstored, with `withheld` set.
Result<StoredImage> GenerateAndStore(const Pipeline& pipeline, const GenerationRequest& request,
                                     const std::string& key, bool reuse_existing,
                                     const Attribution& attribution = {},
                                     const std::function<bool()>& withhold = {});

// Whose fault a failed job is; this decides what becomes of its message.
//  - kJob: the job itself is bad or cannot be done (InvalidArgument, NotFound, AlreadyExists,
//    FailedPrecondition, PayloadTooLarge, Unsupported, Internal, DataLoss).
//    Trying again cannot help: dead-lettered at once.
//  - kAttempt: this attempt failed in a way that may pass (DeadlineExceeded, Aborted), but the
//    job may be the cause (a request that always times out): retried after seconds, each
//    attempt counting toward max_attempts, then dead-lettered.
//  - kSystem: the system cannot do any job right now (ResourceExhausted: a full disk or quota,
//    a throttled model or store; Unavailable: the server's own storage or a peer is down;
//    Cancelled: the process is stopping; PermissionDenied: the server's own role, key, quota or
//    clock is refused, which an operator fixes and no job causes). Says nothing about the job:
//    deferred for minutes
//    without counting the receive (JobQueue::Defer), and never dead-lettered for it until
//    max_deferrals (about the queue's 4-day retention at the longest wait).
// Adapters must report faults of their own storage or peers as ResourceExhausted or Unavailable,
// never as PermissionDenied or InvalidArgument, or the job is blamed for them.
enum class FaultOwner { kJob, kAttempt, kSystem };
FaultOwner ClassifyFault(StatusCode code);

// The longest a job waits out faults of the system: 400 deferrals, most of them at the 15-minute
// cap, span about four days (SQS's default retention).
inline constexpr int kDefaultMaxDeferrals = 400;

// kDefer: the system is at fault; put the message back with JobQueue::Defer. kCancelled: the
// job's cancellation was requested (DELETE /jobs/{id}) and it was not stored; delete the message.
enum class JobOutcome { kSucceeded, kRetry, kDefer, kDeadLetter, kCancelled };

struct JobResult {
  JobOutcome outcome = JobOutcome::kSucceeded;
  std::string job_id;
  std::string key;
  Status error;  // set unless succeeded
};

// Processes one queue message: parse, validate, generate, store, record in the ledger. Does not
// touch the queue: the caller deletes, retries, defers or dead-letters from the outcome
// (ClassifyFault). `max_attempts`: a kAttempt failure on this receive or later becomes a dead
// letter. `max_deferrals`: a kSystem failure of a message already deferred this many times
// becomes a dead letter.
//
// Redeliveries and duplicate messages of one job (a Defer copy, a POST /jobs replay that
// re-sent its message) are harmless: the image key is the job's, an image already stored
// there is reused without calling the model, and a job the ledger has as succeeded is not
// marked running again.
//
// Cancellation (JobLedger::RequestCancel) is read from the ledger three times: when the
// message arrives (a job that reads cancelled, or whose cancellation was requested while it
// ran elsewhere, is not generated: kCancelled without calling the model, unless its image is
// already stored, which makes it succeeded), after the model made the image and before it is
// stored (requested meanwhile: the image is not stored, stays charged since the model was paid,
// and the job ends cancelled), and after a failed attempt (cancelled rather than retried,
// deferred or dead-lettered). Each state recorded is told to the pipeline's observer, with
// started_ms, finished_ms and generation_ms as they stand.
JobResult RunJob(const Pipeline& pipeline, const ReceivedMessage& message, int max_attempts,
                 int max_deferrals = kDefaultMaxDeferrals);

// Current time in Unix epoch milliseconds (the system's clock).
int64_t NowMs();

}  // namespace pictor

#endif  // PICTOR_CORE_PIPELINE_H_
