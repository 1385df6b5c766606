// Pictor's HTTP API, written once and transport-free: the HTTP server and the Lambda API
// Gateway adapter both hand it HttpRequest values.
//
//   POST /generate-image   generate now, answer with the stored image's key and URL
//   POST /jobs             queue a job (Idempotency-Key honoured), 202 with its id
//   GET  /jobs/{id}        the job's status
//   GET  /images/{key}     the PNG (or a redirect to the store's own URL)
//   GET  /healthz /readyz /metrics
#ifndef PICTOR_HTTP_API_H_
#define PICTOR_HTTP_API_H_

#include <chrono>
#include <string>

#include "core/pipeline.h"
#include "core/validation.h"
#include "http/server.h"
#include "http/store_probe.h"
#include "pictor/job_ledger.h"
#include "pictor/job_queue.h"
#include "pictor/metrics.h"

namespace pictor::http {

struct ApiOptions {
  RequestDefaults sync_defaults{1024, 1024};  // POST /generate-image, as the original endpoint
  RequestDefaults job_defaults{512, 512};     // POST /jobs, as the original queue consumer
  std::chrono::seconds url_ttl{3600};         // lifetime of presigned image URLs
  // True when the queue and ledger are local files (fast): POST /jobs and GET /jobs/{id} then
  // run on the event loop instead of the blocking pool.
  bool local_job_backends = true;
  // GET /readyz writes and deletes a probe object at most this often (http/store_probe.h).
  std::chrono::milliseconds ready_probe_interval{3000};
};

// Thread-safety: thread-safe; the borrowed pipeline, queue, ledger and metrics outlive it.
class Api final : public HttpService {
 public:
  // `queue` and `ledger` may be null: the job routes then answer 503.
  Api(const Pipeline& pipeline, JobQueue* queue, JobLedger* ledger, MetricsRegistry& metrics,
      ApiOptions options);

  HttpResponse Handle(const HttpRequest& request) override;
  bool MayBlock(const HttpRequest& request) const override;

 private:
  HttpResponse Route(const HttpRequest& request, std::string* route);
  HttpResponse GenerateImage(const HttpRequest& request);
  HttpResponse SubmitJob(const HttpRequest& request);
  HttpResponse GetJob(const HttpRequest& request, std::string_view id);
  HttpResponse GetImage(const HttpRequest& request, std::string_view key);
  HttpResponse Ready();
  std::string ImageUrl(const HttpRequest& request, const std::string& key);

  const Pipeline& pipeline_;
  JobQueue* queue_;
  JobLedger* ledger_;
  MetricsRegistry& metrics_;
  const ApiOptions options_;
  StoreProbe store_probe_;
};

// Maps a failed Status to the HTTP status the API answers with (400, 404, 413, 503, 500...).
int HttpStatusFor(const Status& status);

// {"message": ..., "error": ...} with the status's code; adds Retry-After for 503.
HttpResponse ErrorResponse(const Status& status);

}  // namespace pictor::http

#endif  // PICTOR_HTTP_API_H_
