// JobLedger: the port that remembers each job's life (queued → running → succeeded | failed),
// so `GET /jobs/{id}` can answer and an Idempotency-Key maps to the job it first created.
#ifndef PICTOR_JOB_LEDGER_H_
#define PICTOR_JOB_LEDGER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "pictor/status.h"

namespace pictor {

enum class JobState { kQueued, kRunning, kSucceeded, kFailed };

std::string_view JobStateName(JobState state);  // "queued", "running", ...

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
  // such as prompts sent by `aws sqs send-message`).
  virtual Status Put(const JobRecord& record) = 0;

  // Removes a record (used when enqueueing a just-created job failed).
  virtual Status Remove(std::string_view id) = 0;

  // Notes that the queue message of `record` (as Create returned it) is durable, so that a
  // replay of its Idempotency-Key need not send it again. Never changes anything else of the
  // record (a worker may already have moved it on). Only records with an idempotency key are
  // ever replayed, so ledgers may do nothing for the others. May be written lazily (group
  // commit): a mark lost in a crash costs one duplicate message, which RunJob makes harmless.
  // A later Create replay or Get reflects the mark once this returns.
  virtual Status MarkEnqueued(const JobRecord& record) = 0;
};

}  // namespace pictor

#endif  // PICTOR_JOB_LEDGER_H_
