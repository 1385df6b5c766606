#include "http/api.h"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <utility>
#include <vector>

#include "core/ascii.h"
#include "core/hash.h"
#include "core/ids.h"
#include "core/job_message.h"
#include "core/log_fields.h"
#include "core/percent_encoding.h"
#include "core/webhook_url.h"
#include "http/api_responses.h"
#include "http/metrics_service.h"
#include "http/openai_errors.h"
#include "http/public_url.h"
#include "http/refusal.h"
#include "http/web_page.h"

namespace pictor::http {
namespace {

using Json = nlohmann::json;

// An Idempotency-Key: 1..255 visible ASCII characters.
bool IsValidIdempotencyKey(std::string_view key) {
  if (key.empty() || key.size() > 255) return false;
  for (unsigned char c : key) {
    if (c < 0x21 || c > 0x7E) return false;
  }
  return true;
}

std::string RequestDigest(const GenerationRequest& r, bool has_seed) {
  Json canonical = {{"prompt", r.prompt},
                    {"negative_prompt", r.negative_prompt},
                    {"width", r.width},
                    {"height", r.height},
                    {"seed", has_seed ? Json(r.seed) : Json(nullptr)}};
  return StableHashHex(canonical.dump());
}

// The API's own wording of the refusals the route table answers.
Refusals ApiRefusals() {
  Refusals refusals;
  // Under /v1/ an OpenAI client reads the refusal: OpenAI's error shape.
  refusals.not_found = [](const HttpRequest& request) {
    std::string message = "no route " + request.method + " " + request.path;
    if (IsOpenAiPath(request.path)) return OpenAiError(404, std::move(message), "not_found");
    return ClientError(404, std::move(message), "not_found");
  };
  refusals.method_not_allowed = [](const HttpRequest& request, std::string_view allow) {
    std::string message = "method " + request.method + " is not allowed on " + request.path +
                          "; allowed: " + std::string(allow);
    if (IsOpenAiPath(request.path)) {
      return OpenAiError(405, std::move(message), "method_not_allowed");
    }
    return ClientError(405, std::move(message), "method_not_allowed");
  };
  return refusals;
}

}  // namespace

Api::Api(const Pipeline& pipeline, JobQueue* queue, JobLedger* ledger, MetricsRegistry& metrics,
         ApiOptions options)
    : pipeline_(pipeline),
      queue_(queue),
      ledger_(ledger),
      metrics_(metrics),
      options_(std::move(options)),
      access_(options_.access, metrics),
      sync_memory_(options_.sync_memory_bytes),
      store_probe_(pipeline.store, pipeline.key_prefix, options_.ready_probe_interval),
      own_models_(options_.models != nullptr
                      ? nullptr
                      : NewSingleModelCatalog(pipeline, pipeline.model_label.empty()
                                                            ? pipeline.model.Name()
                                                            : pipeline.model_label)),
      models_(options_.models != nullptr ? options_.models : own_models_.get()),
      routes_(Routes(), ApiRefusals()) {}

// The API as it reads in its documentation (api.h). Each route's may_block says where the
// server runs it: a model call, the remote store and a remote queue or ledger block; local
// SQLite files and answers from memory do not. Each says which scope a key needs (admin for
// /metrics, the default), and which are open or create images.
std::vector<Route> Api::Routes() {
  const bool remote_jobs = !options_.local_job_backends;
  using P = const PathParams&;
  std::vector<Route> routes;
  routes.push_back(Route{"POST", std::string(kGenerateImageRoute),
                         [this](const HttpRequest& r, P) { return GenerateImage(r); }, true}
                       .Needs(kScopeGenerate)
                       .CreatesImages());
  routes.push_back(
      Route{"POST", "/jobs", [this](const HttpRequest& r, P) { return SubmitJob(r); }, remote_jobs}
          .Needs(kScopeGenerate)
          .CreatesImages());
  routes.push_back(
      Route{"GET", "/jobs", [this](const HttpRequest& r, P) { return ListJobs(r); }, remote_jobs}
          .Needs(kScopeRead));
  routes.push_back(Route{"GET", "/jobs/{id}",
                         [this](const HttpRequest& r, P p) { return GetJob(r, p.Get("id")); },
                         remote_jobs}
                       .Needs(kScopeRead));
  // The scope and owner rules of GET /jobs/{id}: a key cancels what it may see.
  routes.push_back(Route{"DELETE", "/jobs/{id}",
                         [this](const HttpRequest& r, P p) { return CancelJob(r, p.Get("id")); },
                         remote_jobs}
                       .Needs(kScopeRead));
  routes.push_back(Route{"GET", "/jobs/{id}/events",
                         [this](const HttpRequest& r, P p) { return JobEvents(r, p.Get("id")); },
                         remote_jobs}
                       .Needs(kScopeRead));
  routes.push_back(Route{"GET", "/images/{key...}",
                         [this](const HttpRequest& r, P p) { return GetImage(r, p.Get("key")); },
                         true, "/images/{key}"}
                       .Needs(kScopeRead));
  routes.push_back(
      Route{"GET", "/models", [this](const HttpRequest&, P) { return Models(); }}.Needs(
          kScopeRead));
  for (Route& route : WebPageRoutes()) routes.push_back(std::move(route));
  routes.push_back(HealthzRoute());
  routes.push_back(
      Route{"GET", "/readyz", [this](const HttpRequest&, P) { return Ready(); }, true}.Open());
  // The queue gauges' collector reads the queue's attributes while the page renders.
  routes.push_back(MetricsRoute(metrics_, remote_jobs));
  routes.push_back(Route{"POST", std::string(kOpenAiGenerationsRoute),
                         [this](const HttpRequest& r, P) { return OpenAiGenerations(r); }, true}
                       .Needs(kScopeGenerate)
                       .CreatesImages());
  routes.push_back(
      Route{"GET", "/v1/models", [this](const HttpRequest&, P) { return OpenAiModels(); }}.Needs(
          kScopeRead));
  routes.push_back(Route{"GET", "/v1/models/{id...}",
                         [this](const HttpRequest&, P p) { return OpenAiModel(p.Get("id")); },
                         false, "/v1/models/{id}"}
                       .Needs(kScopeRead));
  return routes;
}

HttpResponse Api::Handle(const HttpRequest& request) { return Serve(request).response; }

HttpResponse Api::EarlyRefusal(std::string_view target, int http_status, const Status& status) {
  if (IsOpenAiPath(target.substr(0, target.find('?')))) return OpenAiErrorResponse(status);
  return HttpService::EarlyRefusal(target, http_status, status);
}

HttpResponse Api::Refusal(const HttpRequest& request, const Status& status) {
  return RefusalResponse(request, status, access_.Now());
}

double Api::PriceOf(const GenerationRequest& request) const {
  return options_.image_price_usd ? options_.image_price_usd(request)
                                  : pipeline_.model.PriceUsd(request);
}

Routed Api::Serve(const HttpRequest& request) {
  auto started = std::chrono::steady_clock::now();
  const Route* route = routes_.RouteFor(request);
  Admission admission = access_.Admit(request, route);
  Routed routed;
  if (!admission.status.ok()) {
    routed = Routed{RefusalResponse(request, admission.status, access_.Now()),
                    routes_.LabelFor(request), nullptr};
  } else if (access_.authenticating() && !admission.caller.key_name.empty()) {
    HttpRequest authenticated = request;  // handlers read the caller from the request
    authenticated.caller = std::move(admission.caller);
    routed = routes_.Dispatch(authenticated);
    metrics_
        .GetCounter("pictor_key_requests_total", "Requests answered for each API key, by route.",
                    {{"key", authenticated.caller.key_name}, {"route", std::string(routed.label)}})
        .Increment();
  } else {
    routed = routes_.Dispatch(request);
  }
  for (const auto& [name, value] : admission.headers.fields()) {
    routed.response.headers.Set(name, value);
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  CountRequest(metrics_, request, routed);
  metrics_
      .GetHistogram("pictor_http_request_seconds", "Time to answer an HTTP request, by route.",
                    {{"route", std::string(routed.label)}})
      .Observe(seconds);
  // Here too, not only in the server: the Lambda adapter answers through Serve alone.
  if (!routed.response.headers.Get("X-Content-Type-Options")) {
    routed.response.headers.Set("X-Content-Type-Options", "nosniff");
  }
  return routed;
}

// Without a ledger nothing could answer GET /jobs/{id}, so POST /jobs is refused too.
HttpResponse NoLedgerResponse() {
  return ClientError(503,
                     "no job ledger is configured on this server: jobs need somewhere to keep "
                     "their status (--jobs store, or PICTOR_JOBS=store, keeps it in the store)",
                     "queue_unavailable");
}

HttpResponse Api::SubmitJob(const HttpRequest& request) {
  // Two keys would leave it to chance which one the job is deduplicated by.
  int keys = 0;
  for (const auto& [name, value] : request.headers.fields()) {
    keys += EqualsIgnoreCase(name, "Idempotency-Key") ? 1 : 0;
  }
  if (keys > 1) {
    return ClientError(400, "send at most one Idempotency-Key header", "duplicate_idempotency_key");
  }
  if (queue_ == nullptr) {
    return ClientError(503, "no job queue is configured on this server", "queue_unavailable");
  }
  if (ledger_ == nullptr) return NoLedgerResponse();
  if (!IsJsonContentType(request)) return NotJson();
  std::string idempotency_key;
  if (auto k = request.headers.Get("Idempotency-Key")) {
    if (!IsValidIdempotencyKey(*k)) {
      return ClientError(400, "Idempotency-Key must be 1 to 255 visible ASCII characters",
                         "invalid_idempotency_key");
    }
    idempotency_key = std::string(*k);
  }
  auto spec = ParseJobJson(request.body, pipeline_.job_size, pipeline_.limits,
                           /*allow_job_id=*/false, /*allow_webhook_url=*/true);
  if (!spec.ok()) return ErrorResponse(spec.status());
  if (!spec->webhook_url.empty()) {
    if (!options_.webhooks_enabled) {
      return ClientError(400,
                         "webhooks are not enabled on this server: its operator has not set "
                         "PICTOR_WEBHOOK_SECRET",
                         "webhooks_disabled");
    }
    auto url = CheckClientWebhookUrl(spec->webhook_url, options_.allow_private_webhooks);
    if (!url.ok()) return ErrorResponse(url.status());
  }
  if (Status s = pipeline_.model.Check(spec->request); !s.ok()) return ErrorResponse(s);
  // Before anything is queued: a job its budgets cannot pay for would only fail in a worker.
  if (Status s = AdmitSpend(request.caller, PriceOf(spec->request)); !s.ok()) {
    return Refusal(request, s);
  }

  JobRecord record;
  record.created_ms = record.updated_ms = NowMs();
  record.id = NewTimeOrderedUuid(record.created_ms);  // the ledger's index grows at its end
  record.state = JobState::kQueued;
  record.prompt = spec->request.prompt;
  record.negative_prompt = spec->request.negative_prompt;
  record.seed = spec->has_seed ? spec->request.seed : DeriveSeed(record.id);
  record.width = spec->request.width;
  record.height = spec->request.height;
  record.key = ImageKey(pipeline_.key_prefix, ImageOrigin::kQueue, pipeline_.model.Name(),
                        record.seed, record.id);
  record.idempotency_key = idempotency_key;
  record.owner = request.caller.key_name;
  record.model = pipeline_.ModelLabel();
  record.request_digest = RequestDigest(spec->request, spec->has_seed);
  record.webhook_url = spec->webhook_url;
  // A replay of the Idempotency-Key must ask for the same webhook too.
  if (!spec->webhook_url.empty()) record.request_digest += ":" + StableHashHex(spec->webhook_url);

  auto created = ledger_->Create(record);
  if (!created.ok()) return ErrorResponse(created.status());
  const JobRecord& job = created->record;
  LogScope job_scope(LogField::kJobId, job.id);
  std::string status_url = UrlBaseFor(request) + "/jobs/" + job.id;

  // The job's message. A replay builds it from its own request, which the digest check below
  // proves is the same request.
  auto send = [&]() -> Status {
    JobMessage message = JobMessageFor(*spec);
    message.seed = job.seed;
    message.job_id = job.id;
    auto sent = queue_->Send(OutgoingMessage{EncodeJobMessage(message), std::chrono::seconds(0)});
    if (!sent.ok()) {
      // A queue that does not exist is the server's configuration, not the client's request:
      // 503 like any other fault of the server's side, never 404.
      if (sent.status().IsNotFound()) {
        return Status::Unavailable("queueing the job: the queue does not exist: " +
                                   sent.status().message());
      }
      return sent.status().WithContext("queueing the job");
    }
    // Only a replay reads the mark, and a lost one costs a duplicate message at most.
    (void)ledger_->MarkEnqueued(job);
    return Status::Ok();
  };

  if (!created->created) {
    if (job.request_digest != record.request_digest) {
      return ClientError(422,
                         "Idempotency-Key was already used for a different request body; "
                         "use a new key for a new job",
                         "idempotency_key_reused");
    }
    // A 202 promises the job will run. The request that created it may have died between
    // recording it and sending its message (or failed to send it and to remove the record):
    // without the enqueued mark, send it again. Should the first message exist after all, the
    // duplicate finds the job's image stored under the job's key and makes nothing new.
    if (job.state == JobState::kQueued && !job.enqueued) {
      if (Status s = send(); !s.ok()) return ErrorResponse(s);
    }
    HttpResponse r = JsonResponse(
        202, {{"id", job.id}, {"status", JobStateName(job.state)}, {"status_url", status_url}});
    r.headers.Set("Idempotent-Replayed", "true");
    r.headers.Set("Location", status_url);
    return r;
  }

  if (Status s = send(); !s.ok()) {
    (void)ledger_->Remove(job.id);  // nothing was queued: the key may be used again
    return ErrorResponse(s);
  }
  metrics_.GetCounter("pictor_jobs_submitted_total", "Jobs accepted by POST /jobs.").Increment();
  spdlog::info("job {} queued", job.id);
  if (options_.job_observer != nullptr) options_.job_observer->JobChanged(job);
  HttpResponse r =
      JsonResponse(202, {{"id", job.id}, {"status", "queued"}, {"status_url", status_url}});
  r.headers.Set("Location", status_url);
  return r;
}

Result<JobRecord> Api::VisibleJob(const HttpRequest& request, std::string_view id) {
  auto job = ledger_->Get(id);
  if (!job.ok()) return job.status();
  // A key without admin sees its own jobs only; another's job is as absent as an unknown one.
  if (!request.caller.Has(kScopeAdmin) && job->owner != request.caller.key_name) {
    return Status::NotFound("no job with id " + std::string(id));
  }
  return job;
}

HttpResponse Api::JobResponse(int status, const HttpRequest& request, const JobRecord& job) {
  return JsonResponse(
      status, JobJson(job, job.state == JobState::kSucceeded ? ImageUrl(request, job.key) : ""));
}

HttpResponse Api::GetJob(const HttpRequest& request, std::string_view id) {
  if (ledger_ == nullptr) return NoLedgerResponse();
  auto job = VisibleJob(request, id);
  if (!job.ok()) {
    if (job.status().IsNotFound()) {
      return ClientError(404, "no job with id " + std::string(id), "job_not_found");
    }
    return ErrorResponse(job.status());
  }
  return JobResponse(200, request, *job);
}

HttpResponse Api::Ready() {
  if (queue_ != nullptr) {
    if (auto a = queue_->Attributes(); !a.ok()) {
      // Like every 5xx, the answer says what is not ready; the detail (which may name a path or
      // a peer) goes to the log.
      spdlog::warn("readiness: queue {} not ready: {}", queue_->Name(), a.status().ToString());
      return ClientError(503, "the job queue is not reachable", "not_ready");
    }
  }
  // A write, not a read: a store that cannot take an image must not be sent requests. The
  // probe's message names no server path.
  if (Status s = store_probe_.Check(); !s.ok()) {
    return ClientError(503, "store not ready: " + s.message(), "not_ready");
  }
  return JsonResponse(200, {{"status", "ready"}});
}

std::string Api::ImageUrl(const HttpRequest& request, const std::string& key) {
  return ImageUrlAt(UrlBaseFor(request), key);
}

std::string Api::ImageUrlAt(const std::string& base, const std::string& key) const {
  if (auto direct = pipeline_.store.DirectUrl(key, options_.url_ttl)) return *direct;
  return base + "/images/" + PercentEncode(key, /*keep_slash=*/true);
}

std::string Api::UrlBaseFor(const HttpRequest& request) const {
  std::optional<std::string_view> host = request.headers.Get("Host");
  return UrlBase(options_.public_url, host ? &*host : nullptr, request.tls);
}

}  // namespace pictor::http
