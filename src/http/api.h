// Pictor's HTTP API, written once and transport-free: the HTTP server and the Lambda API
// Gateway adapter both hand it HttpRequest values, and both route them through its one route
// table (Api::Api in api.cc):
//
//   POST /generate-image   generate now, answer with the stored image's key and URL
//   POST /jobs             queue a job (Idempotency-Key honoured), 202 with its id
//   GET  /jobs             the job history, newest first (filters, cursor: api_jobs.cc)
//   GET  /jobs/{id}        the job: its request, status, timings, owner, model, cost, image
//   GET  /jobs/{id}/events the job's state changes as Server-Sent Events (http/job_events.h)
//   DELETE /jobs/{id}      cancel it: 200 cancelled (queued), 202 (running), 409 (finished)
//   GET  /images/{key}     the PNG (or a redirect to the store's own URL)
//   GET  /models           what the configured model accepts: sizes, prompt limit, seeds, price
//   GET  /                 the page (web/), with its assets: open, like /healthz
//   GET  /healthz /readyz /metrics
//   POST /v1/images/generations, GET /v1/models, GET /v1/models/{id}   the OpenAI Images API
//
// The routes live in api.cc (the table, the job routes), api_jobs.cc (the job history),
// api_images.cc (generation, images), api_models.cc (GET /models), web_page.cc (the page),
// openai_api.cc (the OpenAI-compatible routes, whose errors
// take OpenAI's shape) and
// api_responses.cc (the JSON answers and the Status mapping).
#ifndef PICTOR_HTTP_API_H_
#define PICTOR_HTTP_API_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/pipeline.h"
#include "core/validation.h"
#include "http/access_control.h"
#include "http/job_events.h"
#include "http/memory_budget.h"
#include "http/model_catalog.h"
#include "http/routes.h"
#include "http/server.h"
#include "http/store_probe.h"
#include "pictor/job_ledger.h"
#include "pictor/job_queue.h"
#include "pictor/metrics.h"

namespace pictor::http {

struct ApiOptions {
  // POST /generate-image, as the original endpoint; POST /jobs takes the pipeline's job_size.
  RequestDefaults sync_defaults{1024, 1024};
  std::chrono::seconds url_ttl{3600};  // lifetime of presigned image URLs
  // True when the queue and ledger are local files (fast): POST /jobs, GET /jobs/{id} and
  // GET /metrics (whose queue gauges read the queue) then run on the event loop instead of the
  // blocking pool.
  bool local_job_backends = true;
  // GET /readyz writes and deletes a probe object at most this often (http/store_probe.h).
  std::chrono::milliseconds ready_probe_interval{3000};
  // The base of absolute URLs (ParsePublicUrl's result); empty: from a valid Host header, else
  // relative paths.
  std::string public_url;
  // Memory that concurrent POST /generate-image may hold (EstimateGenerationBytes each); beyond
  // it they get 503 overloaded. 0 = unbounded.
  size_t sync_memory_bytes = size_t{512} * 1024 * 1024;
  // The models POST /v1/images/generations may use and GET /v1/models lists; borrowed, outlives
  // the Api. Null: the pipeline's own model alone, listed under model_label (else its Name()).
  const ModelCatalog* models = nullptr;
  // Authentication, scopes, rate limits and budget admission (http/access_control.h); the
  // default is none of them.
  AccessOptions access;
  // The list price of generating `request` with the pipeline's model, for budget admission;
  // empty: the model's own (ImageModel::PriceUsd). For tests that price by size.
  std::function<double(const GenerationRequest&)> image_price_usd;
  // The hub GET /jobs/{id}/events subscribes to; borrowed, outlives the Api and every stream it
  // opened. Null: the route answers 501 (the Lambda adapter cannot hold a stream open).
  JobEventHub* events = nullptr;
  // Whether POST /jobs takes a "webhook_url" (the operator set PICTOR_WEBHOOK_SECRET), and whether
  // it may point to loopback, private or link-local addresses (--allow-private-webhooks).
  bool webhooks_enabled = false;
  bool allow_private_webhooks = false;
  // Optional, borrowed: told of each job POST /jobs creates and each one DELETE /jobs/{id}
  // cancels (core/job_observer.h); the workers tell the pipeline's observer of the rest.
  JobObserver* job_observer = nullptr;
};

// Thread-safety: thread-safe; the borrowed pipeline, queue, ledger and metrics outlive it.
class Api final : public HttpService {
 public:
  // The pattern (and label) of the synchronous generation route, for callers that count
  // generations by the route that answered (the Lambda API function).
  static constexpr std::string_view kGenerateImageRoute = "/generate-image";
  static constexpr std::string_view kOpenAiGenerationsRoute = "/v1/images/generations";

  // `queue` and `ledger` may be null: the job routes then answer 503.
  Api(const Pipeline& pipeline, JobQueue* queue, JobLedger* ledger, MetricsRegistry& metrics,
      ApiOptions options);
  // The table's handlers hold `this`.
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  // Serve(request).response.
  HttpResponse Handle(const HttpRequest& request) override;
  const RouteTable& routes() const override { return routes_; }
  // OpenAI's error shape under /v1/, Pictor's elsewhere.
  HttpResponse EarlyRefusal(std::string_view target, int http_status,
                            const Status& status) override;

  // Authenticates and authorises the request (AccessControl), answers through the route table,
  // records pictor_http_requests_total and pictor_http_request_seconds under the route's label
  // (and pictor_key_requests_total{key,route} for a request with a key), and says which route
  // answered. A refusal for the caller answers in the route family's shape (http/refusal.h).
  Routed Serve(const HttpRequest& request);

  // Budget admission for a handler about to queue or generate images costing `usd`: OK, or the
  // QuotaExceeded refusal (reason "budget_exhausted") to answer with.
  Status AdmitSpend(const Caller& caller, double usd) { return access_.AdmitSpend(caller, usd); }

 private:
  std::vector<Route> Routes();
  HttpResponse GenerateImage(const HttpRequest& request);
  HttpResponse SubmitJob(const HttpRequest& request);
  HttpResponse GetJob(const HttpRequest& request, std::string_view id);
  HttpResponse JobEvents(const HttpRequest& request, std::string_view id);  // api_jobs.cc
  HttpResponse CancelJob(const HttpRequest& request, std::string_view id);  // api_jobs.cc
  // The caller's view of job `id`: 404 (as a response) when there is none or it is another
  // key's and the caller is not admin.
  Result<JobRecord> VisibleJob(const HttpRequest& request, std::string_view id);
  // The job as GET /jobs/{id} answers it, with `status`.
  HttpResponse JobResponse(int status, const HttpRequest& request, const JobRecord& job);
  HttpResponse ListJobs(const HttpRequest& request);  // api_jobs.cc
  HttpResponse GetImage(const HttpRequest& request, std::string_view key);
  HttpResponse Ready();
  HttpResponse Models();  // api_models.cc
  HttpResponse OpenAiGenerations(const HttpRequest& request);
  HttpResponse OpenAiModels();
  HttpResponse OpenAiModel(std::string_view id);
  // RefusalResponse for a handler's refusal.
  HttpResponse Refusal(const HttpRequest& request, const Status& status);
  double PriceOf(const GenerationRequest& request) const;
  std::string ImageUrl(const HttpRequest& request, const std::string& key);
  // ImageUrl for a request whose UrlBaseFor is `base`.
  std::string ImageUrlAt(const std::string& base, const std::string& key) const;
  // The scheme://host[:port][/base] absolute URLs start with, or "" for relative ones.
  std::string UrlBaseFor(const HttpRequest& request) const;

  const Pipeline& pipeline_;
  JobQueue* queue_;
  JobLedger* ledger_;
  MetricsRegistry& metrics_;
  const ApiOptions options_;
  AccessControl access_;
  MemoryBudget sync_memory_;
  StoreProbe store_probe_;
  std::unique_ptr<ModelCatalog> own_models_;  // when options_.models is null
  const ModelCatalog* models_;
  const RouteTable routes_;  // last: its handlers call the members above
};

// Maps a failed Status to the HTTP status the API answers with (400, 404, 413, 503, 500...).
// Faults the client cannot cause or fix (the server's own storage, credentials or peers) are
// 5xx: PermissionDenied is 503, as a fault of the server's storage is.
int HttpStatusFor(const Status& status);

// {"message": ..., "error": ...} with the status's code; Retry-After on every 503. A 4xx carries
// the status's message (it is about the request). A 5xx carries a fixed message per code and
// the status's reason, never its message, which may name server paths or peers: that detail
// goes to the log (warn for 503/504, error for 500).
HttpResponse ErrorResponse(const Status& status);

}  // namespace pictor::http

#endif  // PICTOR_HTTP_API_H_
