// JobLedger: the port that remembers each job's life (queued → running → succeeded | failed |
// cancelled), so `GET /jobs/{id}` can answer, `GET /jobs` can list, `DELETE /jobs/{id}` can
// cancel, and an Idempotency-Key maps to the job it first created.
#ifndef PICTOR_JOB_LEDGER_H_
#define PICTOR_JOB_LEDGER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pictor/status.h"

namespace pictor {

// The numbers are stored (SQLite ledger): never renumber.
enum class JobState { kQueued = 0, kRunning = 1, kSucceeded = 2, kFailed = 3, kCancelled = 4 };

// The states in which nothing more happens to a job.
inline bool IsFinalJobState(JobState state) {
  return state == JobState::kSucceeded || state == JobState::kFailed ||
         state == JobState::kCancelled;
}

std::string_view JobStateName(JobState state);  // "queued", "running", ...
// The state JobStateName names; nullopt for any other text.
std::optional<JobState> JobStateFromName(std::string_view name);

// The last attempt to deliver a job's webhook (`webhook_url`), for people: GET /jobs/{id} shows
// it. Written only by JobLedger::SetWebhookDelivery.
struct WebhookDelivery {
  std::string state;  // "" (none yet), "pending", "delivered" or "failed" (given up)
  int attempts = 0;
  int last_status = 0;  // the HTTP status of the last attempt; 0 when none came back
  int64_t last_attempt_ms = 0;
  std::string last_error;  // why the last attempt failed; empty when it did not
  bool operator==(const WebhookDelivery&) const = default;
};

struct JobRecord {
  std::string id;
  JobState state = JobState::kQueued;
  std::string prompt;
  uint32_t seed = 0;
  int width = 0;
  int height = 0;
  std::string key;    // where the image is, or will be, stored
  std::string error;  // the last failure, for people
  int attempts = 0;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  std::string idempotency_key;  // empty when none was given
  std::string request_digest;   // identifies the request body that created the job
  // True once the job's queue message is known to be durable: set by MarkEnqueued after
  // POST /jobs sent it, and on every record a worker writes (a worker holds the message). A
  // POST /jobs replay (same Idempotency-Key) that finds the job queued without it sends the
  // message again: the first request may have died between recording the job and sending it.
  bool enqueued = false;
  // Who asked for the job: the name of the API key that created it (never the key itself);
  // empty when none did (authentication off, a message sent straight to the queue).
  std::string owner;
  // The model spec or alias the job runs on ("builtin", "bedrock:amazon.nova-canvas-v1:0");
  // empty: the worker's configured model.
  std::string model;
  // The list price of the job's image in US dollars (pictor/spend_ledger.h), once generated.
  double cost_usd = 0;
  std::string negative_prompt;
  // When a worker last began generating the job, when it reached a final state, and how long
  // the model took; 0 until then.
  int64_t started_ms = 0;
  int64_t finished_ms = 0;
  int64_t generation_ms = 0;
  // Set by RequestCancel and never cleared by Put: a worker that wrote "running" over the
  // cancellation still sees it before it stores the image. A queued job whose cancellation was
  // requested reads as kCancelled (ApplyCancellation).
  bool cancel_requested = false;
  // Where the job's final state is POSTed; empty: nowhere but the operator's --webhook.
  std::string webhook_url;
  WebhookDelivery webhook;
};

// A queued record whose cancellation was requested reads as cancelled: no worker has taken it,
// and none will generate it. Every ledger applies this to the records it returns.
inline JobRecord ApplyCancellation(JobRecord record) {
  if (record.cancel_requested && record.state == JobState::kQueued) {
    record.state = JobState::kCancelled;
  }
  return record;
}

// The most jobs one JobLedger::List call returns.
inline constexpr int kMaxJobListLimit = 200;

// What JobLedger::List returns: a filter, a page size and where the page starts.
struct JobQuery {
  std::string owner;  // only this owner's jobs; empty: every owner's
  // Only jobs now in this state (as ApplyCancellation reads it); nullopt: every state.
  std::optional<JobState> state;
  int limit = 50;      // at most this many jobs, 1..kMaxJobListLimit
  std::string cursor;  // empty: from the newest job; else a JobPage::next_cursor
};

struct JobPage {
  std::vector<JobRecord> jobs;  // newest first (see JobLedger::List)
  // Where the next page starts, opaque to callers; empty when no job follows this page.
  std::string next_cursor;
};

// Thread-safety: implementations are thread-safe and may be shared by several processes.
class JobLedger {
 public:
  JobLedger() = default;
  JobLedger(const JobLedger&) = delete;
  JobLedger& operator=(const JobLedger&) = delete;
  virtual ~JobLedger() = default;

  struct CreateResult {
    JobRecord record;
    bool created = false;  // false: an earlier job with the same idempotency key was returned
  };
  // Inserts a new record. When record.idempotency_key is set and a job with that key exists,
  // nothing is inserted and the existing record comes back with created = false. A record with
  // an idempotency key is durable when this returns; one without may be written a few
  // milliseconds later (group commit), and Get finds it meanwhile: the queue message, not the
  // record, is what must survive a crash, and the worker records the job again.
  virtual Result<CreateResult> Create(const JobRecord& record) = 0;

  // NotFound when there is no job with that id.
  virtual Result<JobRecord> Get(std::string_view id) = 0;

  // Inserts or replaces the record with this id (workers record jobs they did not create,
  // such as prompts sent by `aws sqs send-message`). Never clears cancel_requested: a
  // cancellation requested before or during a Put survives it.
  virtual Status Put(const JobRecord& record) = 0;

  // Records durably that the job must not be generated, and returns the job as it now reads
  // (ApplyCancellation: a queued job reads as cancelled). Idempotent. Changes nothing else of
  // the record; it is up to the worker holding a running job to finish it as cancelled when
  // its image was not yet stored. NotFound when there is no job with that id.
  virtual Result<JobRecord> RequestCancel(std::string_view id) = 0;

  // Replaces the job's webhook delivery and nothing else of its record. NotFound when there is
  // no job with that id.
  virtual Status SetWebhookDelivery(std::string_view id, const WebhookDelivery& delivery) = 0;

  // Removes a record (used when enqueueing a just-created job failed).
  virtual Status Remove(std::string_view id) = 0;

  // Notes that the queue message of `record` (as Create returned it) is durable, so that a
  // replay of its Idempotency-Key need not send it again. Never changes anything else of the
  // record (a worker may already have moved it on). Only records with an idempotency key are
  // ever replayed, so ledgers may do nothing for the others. May be written lazily (group
  // commit): a mark lost in a crash costs one duplicate message, which RunJob makes harmless.
  // A later Create replay or Get reflects the mark once this returns.
  virtual Status MarkEnqueued(const JobRecord& record) = 0;

  // The jobs matching the query's filters, newest first: by created_ms descending, ties by id
  // ascending (byte order). A cursor is a position in that order, not an offset: jobs created
  // while a client pages sort before the position and shift nothing, so following next_cursor
  // from page to page returns every job that existed when paging began exactly once (as long as
  // a job's created_ms does not change, which neither the API nor a worker does). Jobs Create
  // accepted are listed at once (also those still waiting for a group commit). A page may hold
  // fewer than `limit` jobs, even none, with a non-empty next_cursor when a ledger bounds the
  // work of one call (the store ledger filtering by state); only an empty next_cursor means the
  // end. InvalidArgument for a limit outside 1..kMaxJobListLimit (reason "invalid_limit") or a
  // cursor no ledger made (reason "invalid_cursor"); cursors of every ledger are alike
  // (core/job_cursor.h).
  virtual Result<JobPage> List(const JobQuery& query) = 0;
};

}  // namespace pictor

#endif  // PICTOR_JOB_LEDGER_H_
