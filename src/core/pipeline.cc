#include "core/pipeline.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <functional>

#include "core/hash.h"
#include "core/ids.h"
#include "core/job_message.h"
#include "core/log_fields.h"

namespace pictor {
namespace {

constexpr size_t kMaxUniqueChars = 64;

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void CountJob(const Pipeline& p, std::string_view outcome) {
  if (p.metrics == nullptr) return;
  p.metrics
      ->GetCounter("pictor_jobs_total", "Queue jobs processed, by outcome.",
                   {{"outcome", std::string(outcome)}})
      .Increment();
}

// Charges `usd` for one image to `attribution` (a new charge id when it has none). Returns the
// charge id used, or the refusal.
Result<std::string> ChargeImage(const Pipeline& p, const Attribution& attribution, double usd) {
  auto scopes = BudgetScopesOf(p, attribution.owner);
  if (!scopes.ok()) return scopes.status().WithContext("reading the budgets of the charge");
  SpendCharge charge;
  charge.id = attribution.charge_id.empty() ? "gen:" + NewUuid() : attribution.charge_id;
  charge.owner = attribution.owner;
  charge.model = p.model.Name();
  charge.usd = usd;
  charge.at_ms = p.ClockMs();
  if (Status s = p.spend->Charge(charge, *scopes); !s.ok()) return s;
  return charge.id;
}

void CountSpend(const Pipeline& p, const Attribution& attribution, double usd) {
  if (p.metrics == nullptr || usd <= 0) return;
  p.metrics
      ->GetCounter("pictor_spend_usd_total",
                   "List price of the images made, in US dollars, by model and API key.",
                   {{"model", p.model.Name()}, {"key", attribution.owner}})
      .Increment(usd);
}

}  // namespace

Result<std::vector<BudgetScope>> BudgetScopesOf(const PipelineOptions& options,
                                                std::string_view owner) {
  std::vector<Budget> own;
  if (!owner.empty() && options.owner_budgets != nullptr) {
    auto budgets = options.owner_budgets->BudgetsOf(owner);
    if (!budgets.ok()) return budgets.status();
    own = std::move(budgets).value();
  }
  return BudgetScopesFor(options.budgets, owner, own);
}

Status GlobalBudgetRoom(const Pipeline& p) {
  if (p.spend == nullptr || p.budgets.empty()) return Status::Ok();
  GenerationRequest typical;
  typical.width = p.job_size.width;
  typical.height = p.job_size.height;
  const double price = p.model.PriceUsd(typical);
  if (price <= 0) return Status::Ok();  // free images spend no budget
  return p.spend->Check(BudgetScopesFor(p.budgets, "", {}), price, p.ClockMs());
}

std::string FormatUtcTime(int64_t epoch_ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> t{milliseconds(epoch_ms)};
  const sys_days day = floor<days>(t);
  const year_month_day ymd(day);
  const hh_mm_ss hms(floor<seconds>(t - day));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

FaultOwner ClassifyFault(StatusCode code) {
  switch (code) {
    case StatusCode::kResourceExhausted:
    case StatusCode::kUnavailable:
    case StatusCode::kCancelled:
    case StatusCode::kPermissionDenied:
    // A spent budget: the message waits for the reset (deferred, not counted against the job).
    case StatusCode::kQuotaExceeded:
      return FaultOwner::kSystem;
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kAborted:
      return FaultOwner::kAttempt;
    default:
      return FaultOwner::kJob;
  }
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string ImageKeyPrefix(std::string_view prefix) {
  std::string key;
  while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
  if (!prefix.empty()) key.append(prefix).append("/");
  key += "generated_images/";
  return key;
}

std::string ImageKey(std::string_view prefix, ImageOrigin origin, std::string_view model,
                     uint32_t seed, std::string_view unique) {
  std::string clean;
  for (char c : unique) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-') {
      clean += c;
    }
  }
  if (clean.empty() || clean.size() > kMaxUniqueChars || clean.size() != unique.size()) {
    // Ids that are not plain keep their identity through a hash, never through truncation.
    clean = "h" + StableHashHex(unique);
  }
  std::string key = ImageKeyPrefix(prefix);
  if (origin == ImageOrigin::kQueue) key += "from_queue/";
  key.append(model).append("_").append(std::to_string(seed)).append("_").append(clean);
  key += ".png";
  return key;
}

Result<StoredImage> GenerateAndStore(const Pipeline& p, const GenerationRequest& request,
                                     const std::string& key, bool reuse_existing,
                                     const Attribution& attribution,
                                     const std::function<bool()>& withhold) {
  if (Status s = ValidateRequest(request, p.limits); !s.ok()) return s;
  if (Status s = p.model.Check(request); !s.ok()) return s;
  if (Status s = ValidateObjectKey(key); !s.ok()) return s;

  if (reuse_existing) {
    auto head = p.store.Head(key);
    if (head.ok()) {
      StoredImage done;
      done.key = key;
      done.image.model = p.model.Name();
      done.image.seed = request.seed;
      done.image.width = request.width;
      done.image.height = request.height;
      done.reused = true;
      return done;
    }
    if (!head.status().IsNotFound()) return head.status().WithContext("checking " + key);
  }

  // Charged before the model is called: a spent budget costs nothing.
  const double price = p.model.PriceUsd(request);
  std::string charge_id;
  if (p.spend != nullptr && price > 0) {
    auto charged = ChargeImage(p, attribution, price);
    if (!charged.ok()) return charged.status();
    charge_id = std::move(charged).value();
  }

  auto started = std::chrono::steady_clock::now();
  auto image = p.model.Generate(request);
  const int64_t generation_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now() - started)
                                    .count();
  if (p.metrics != nullptr) {
    p.metrics
        ->GetHistogram("pictor_generation_seconds", "Time to generate one image, by model.",
                       {{"model", p.model_label.empty() ? p.model.Name() : p.model_label},
                        {"outcome", image.ok() ? "ok" : "error"}})
        .Observe(SecondsSince(started));
  }
  if (!image.ok()) {
    if (!charge_id.empty()) {
      // No image, nothing spent. A refund that fails leaves the charge counted against the
      // budgets: the error is on the safe side, and the log says which charge it was.
      if (Status s = p.spend->Refund(charge_id); !s.ok()) {
        spdlog::error("refunding charge {} for an image the model did not make failed: {}",
                      charge_id, s.ToString());
      }
    }
    return image.status().WithContext("generating image");
  }
  CountSpend(p, attribution, price);
  if (withhold && withhold()) {
    StoredImage unstored{key, std::move(image).value(), false, true, price, generation_ms};
    return unstored;
  }

  started = std::chrono::steady_clock::now();
  Status put = p.store.Put(key, image->png, "image/png");
  if (p.metrics != nullptr) {
    p.metrics
        ->GetHistogram("pictor_store_seconds", "Time to store one image.",
                       {{"outcome", put.ok() ? "ok" : "error"}})
        .Observe(SecondsSince(started));
  }
  if (!put.ok()) return put;
  return StoredImage{key, std::move(image).value(), false, false, price, generation_ms};
}

JobResult RunJob(const Pipeline& p, const ReceivedMessage& message, int max_attempts,
                 int max_deferrals) {
  JobResult result;
  if (p.metrics != nullptr) {
    p.metrics->GetCounter("pictor_jobs_received_total", "Queue messages received by workers.")
        .Increment();
  }
  // Every outcome but success; pictor_jobs_total{outcome} tells a retry from a dead letter.
  auto count_failed = [&p] {
    if (p.metrics == nullptr) return;
    p.metrics
        ->GetCounter("pictor_jobs_failed_total",
                     "Queue jobs whose attempt failed (retried or dead-lettered).")
        .Increment();
  };
  auto spec = ParseQueueMessageBody(message.body, p.job_size, p.limits);
  // A deferred copy keeps the id of the message first sent, so the job keeps its key and record.
  const std::string& message_id =
      message.origin_message_id.empty() ? message.message_id : message.origin_message_id;
  result.job_id = spec.ok() && !spec->job_id.empty() ? spec->job_id : message_id;
  LogScope job_scope(LogField::kJobId, result.job_id);

  JobRecord record;
  bool have_record = false;
  if (p.ledger != nullptr) {
    auto existing = p.ledger->Get(result.job_id);
    if (existing.ok()) {
      record = std::move(existing).value();
      have_record = true;
    }
  }
  if (!have_record) {
    record.id = result.job_id;
    record.created_ms = message.sent_timestamp_ms ? message.sent_timestamp_ms : NowMs();
  }
  auto save = [&](JobState state) {
    record.state = state;
    record.updated_ms = NowMs();
    record.attempts = message.receive_count;
    record.enqueued = true;  // this message is the job's
    // Queued again (a retry, a deferral) or running: not finished (yet). A duplicate message of
    // a finished job keeps the time it finished.
    if (!IsFinalJobState(state)) {
      record.finished_ms = 0;
    } else if (record.finished_ms == 0) {
      record.finished_ms = record.updated_ms;
    }
    // The ledger is a view for people; a failure to update it must not fail the job.
    if (p.ledger != nullptr) (void)p.ledger->Put(record);
    if (p.observer != nullptr) p.observer->JobChanged(ApplyCancellation(record));
  };
  // Whether the ledger says the job's cancellation was requested (by another process too). A
  // ledger that cannot answer says no: the job goes on as if nobody had asked.
  auto cancel_requested = [&] {
    if (p.ledger == nullptr) return false;
    auto now = p.ledger->Get(result.job_id);
    if (!now.ok() || !now->cancel_requested) return false;
    record.cancel_requested = true;
    return true;
  };
  auto finish_cancelled = [&] {
    result.outcome = JobOutcome::kCancelled;
    result.error = Status::Cancelled("the job's cancellation was requested");
    save(JobState::kCancelled);
    CountJob(p, "cancelled");
    return result;
  };

  if (!spec.ok()) {
    result.outcome = JobOutcome::kDeadLetter;
    result.error = spec.status();
    record.prompt = message.body.substr(0, 512);
    record.error = spec.status().message();
    save(JobState::kFailed);
    CountJob(p, "dead_lettered");
    count_failed();
    return result;
  }
  GenerationRequest request = spec->request;
  if (!spec->has_seed) request.seed = DeriveSeed(result.job_id);
  result.key =
      ImageKey(p.key_prefix, ImageOrigin::kQueue, p.model.Name(), request.seed, result.job_id);
  record.prompt = request.prompt;
  record.negative_prompt = request.negative_prompt;
  record.seed = request.seed;
  record.width = request.width;
  record.height = request.height;
  record.key = result.key;
  if (!spec->webhook_url.empty()) record.webhook_url = spec->webhook_url;

  const bool finished =
      have_record && (record.state == JobState::kSucceeded || record.state == JobState::kFailed);
  // A cancelled job is not generated, so nothing is charged. An image already stored under the
  // job's key (a worker stored it and stopped before recording it) makes it succeeded instead.
  auto not_to_generate = [&] { return !p.store.Head(result.key).ok(); };
  if (have_record && !finished &&
      (record.cancel_requested || record.state == JobState::kCancelled) && not_to_generate()) {
    record.error.clear();
    return finish_cancelled();
  }
  record.model = p.ModelLabel();
  // A failed job run again (a re-driven dead letter) ends in an outcome of its own: its webhook
  // delivery starts afresh, so that the new final state is reported too (a delivery on the
  // record is what tells the webhook observer a final state was reported already).
  if (have_record && record.state == JobState::kFailed) record.webhook = WebhookDelivery{};
  // A duplicate delivery of a succeeded job must not show it running again.
  if (!(have_record && record.state == JobState::kSucceeded)) {
    record.started_ms = NowMs();
    save(JobState::kRunning);
    // Read again once "running" is written: a cancellation that came after the first read
    // answered "cancelled" (200) to its caller, and this is the last moment to keep that promise
    // for free. One that comes after this read finds the job running (202).
    if (!finished && cancel_requested() && not_to_generate()) {
      record.error.clear();
      return finish_cancelled();
    }
  }

  // One charge per job, whatever the attempt: a job charged and then interrupted before its
  // refund is not charged again when its message comes back.
  auto stored = GenerateAndStore(p, request, result.key, /*reuse_existing=*/true,
                                 Attribution{record.owner, "job:" + result.job_id},
                                 [&] { return !finished && cancel_requested(); });
  if (stored.ok()) {
    if (!stored->reused) {
      record.cost_usd = stored->cost_usd;
      record.generation_ms = stored->generation_ms;
    }
    record.error.clear();
    if (stored->withheld) return finish_cancelled();  // paid for: the charge stays
    save(JobState::kSucceeded);
    CountJob(p, "succeeded");
    return result;
  }
  result.error = stored.status();
  record.error = stored.status().message();
  count_failed();
  if (!finished && cancel_requested()) return finish_cancelled();  // not tried again
  const FaultOwner owner = ClassifyFault(stored.status().code());
  if (owner == FaultOwner::kSystem && message.deferrals < max_deferrals) {
    result.outcome = JobOutcome::kDefer;
    record.error = (stored.status().code() == StatusCode::kQuotaExceeded
                        ? "waiting for the budget to reset: "
                        : "waiting for the system to recover: ") +
                   record.error;
    save(JobState::kQueued);
    CountJob(p, "deferred");
  } else if (owner == FaultOwner::kAttempt && message.receive_count < max_attempts) {
    result.outcome = JobOutcome::kRetry;
    save(JobState::kQueued);
    CountJob(p, "retried");
  } else {
    result.outcome = JobOutcome::kDeadLetter;
    if (owner != FaultOwner::kJob) {
      const std::string tries = owner == FaultOwner::kSystem
                                    ? std::to_string(message.deferrals) + " deferrals"
                                    : std::to_string(message.receive_count) + " attempts";
      // WithContext keeps the code, the reason and the peer's answer of the last failure.
      result.error = stored.status().WithContext("gave up after " + tries);
      record.error = result.error.message();
    }
    save(JobState::kFailed);
    CountJob(p, "dead_lettered");
  }
  return result;
}

}  // namespace pictor
