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
#include "core/percent_encoding.h"
#include "http/entity_tag.h"
#include "http/labels.h"
#include "http/public_url.h"

namespace pictor::http {
namespace {

using Json = nlohmann::json;

HttpResponse JsonResponse(int status, const Json& body) {
  HttpResponse r;
  r.status = status;
  r.headers.Set("Content-Type", "application/json");
  r.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return r;
}

// A synchronous generation that held at least this much trims the heap after it.
constexpr size_t kTrimAfterBytes = 16 * 1024 * 1024;

constexpr const char* kJsonOnly =
    "the request body must be JSON, sent with Content-Type: application/json "
    "(with curl: -H 'Content-Type: application/json')";

HttpResponse ClientError(int status, std::string message, std::string error) {
  return JsonResponse(status, {{"message", std::move(message)}, {"error", std::move(error)}});
}

// Anything but a JSON body is refused; a missing Content-Type is taken as JSON.
bool IsJsonContentType(const HttpRequest& request) {
  auto type = request.headers.Get("Content-Type");
  if (!type) return true;
  std::string_view t = *type;
  t = t.substr(0, t.find(';'));
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  return EqualsIgnoreCase(t, "application/json") ||
         (t.size() > 5 && EqualsIgnoreCase(t.substr(t.size() - 5), "+json"));
}

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

}  // namespace

int HttpStatusFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kPayloadTooLarge:
      return 413;
    case StatusCode::kUnsupported:
      return 501;
    case StatusCode::kPermissionDenied:
    case StatusCode::kUnavailable:
    case StatusCode::kResourceExhausted:
    case StatusCode::kAborted:
    case StatusCode::kCancelled:
      return 503;
    case StatusCode::kDeadlineExceeded:
      return 504;
    case StatusCode::kInternal:
    case StatusCode::kDataLoss:
      return 500;
  }
  return 500;
}

namespace {

// What a 5xx tells the client: enough to decide whether to retry, nothing about the server.
std::string ServerFaultMessage(const Status& status) {
  switch (status.code()) {
    case StatusCode::kResourceExhausted:
      return "the server is busy; retry later";
    case StatusCode::kDeadlineExceeded:
      return "the server timed out; retry later";
    case StatusCode::kCancelled:
      return "the server is shutting down; retry later";
    case StatusCode::kUnsupported:
      return "the server cannot do this";
    case StatusCode::kInternal:
    case StatusCode::kDataLoss:
      return "internal error";
    default:
      return "the server is temporarily unable to answer; retry later";
  }
}

}  // namespace

HttpResponse ErrorResponse(const Status& status) {
  const int code = HttpStatusFor(status);
  if (code < 500) return ClientError(code, status.message(), status.reason());
  if (code == 500) {
    spdlog::error("answering 500: {}", status.ToString());
  } else {
    spdlog::warn("answering {}: {}", code, status.ToString());
  }
  HttpResponse r = ClientError(code, ServerFaultMessage(status), status.reason());
  if (code == 503) r.headers.Set("Retry-After", "1");
  return r;
}

Api::Api(const Pipeline& pipeline, JobQueue* queue, JobLedger* ledger, MetricsRegistry& metrics,
         ApiOptions options)
    : pipeline_(pipeline),
      queue_(queue),
      ledger_(ledger),
      metrics_(metrics),
      options_(std::move(options)),
      sync_memory_(options_.sync_memory_bytes),
      store_probe_(pipeline.store, pipeline.key_prefix, options_.ready_probe_interval) {}

bool Api::MayBlock(const HttpRequest& request) const {
  const std::string& p = request.path;
  if (p == "/generate-image" || p == "/readyz" || p.rfind("/images/", 0) == 0) return true;
  if (p == "/jobs" || p.rfind("/jobs/", 0) == 0) return !options_.local_job_backends;
  return false;
}

HttpResponse Api::Handle(const HttpRequest& request) {
  auto started = std::chrono::steady_clock::now();
  std::string route(kUnmatchedRoute);
  HttpResponse response = Route(request, &route);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  metrics_
      .GetCounter("pictor_http_requests_total", "HTTP requests answered, by route and status.",
                  {{"route", route},
                   {"method", std::string(MethodLabel(request.method))},
                   {"status", std::to_string(response.status)}})
      .Increment();
  metrics_
      .GetHistogram("pictor_http_request_seconds", "Time to answer an HTTP request, by route.",
                    {{"route", route}})
      .Observe(seconds);
  // Here too, not only in the server: the Lambda adapter answers through Handle alone.
  if (!response.headers.Get("X-Content-Type-Options")) {
    response.headers.Set("X-Content-Type-Options", "nosniff");
  }
  return response;
}

HttpResponse Api::Route(const HttpRequest& request, std::string* route) {
  const std::string& path = request.path;
  const std::string& method = request.method;
  const bool get = method == "GET" || method == "HEAD";
  auto allow = [&](std::string_view allowed) {
    HttpResponse r = ClientError(
        405,
        "method " + method + " is not allowed on " + path + "; allowed: " + std::string(allowed),
        "method_not_allowed");
    r.headers.Set("Allow", std::string(allowed));
    return r;
  };

  if (path == "/generate-image") {
    *route = path;
    return method == "POST" ? GenerateImage(request) : allow("POST");
  }
  if (path == "/jobs") {
    *route = path;
    if (method != "POST") return allow("POST");
    // Two keys would leave it to chance which one the job is deduplicated by.
    int keys = 0;
    for (const auto& [name, value] : request.headers.fields()) {
      keys += EqualsIgnoreCase(name, "Idempotency-Key") ? 1 : 0;
    }
    if (keys > 1) {
      return ClientError(400, "send at most one Idempotency-Key header",
                         "duplicate_idempotency_key");
    }
    return SubmitJob(request);
  }
  if (path.rfind("/jobs/", 0) == 0 && path.size() > 6 && path.find('/', 6) == std::string::npos) {
    *route = "/jobs/{id}";
    return get ? GetJob(request, std::string_view(path).substr(6)) : allow("GET, HEAD");
  }
  if (path.rfind("/images/", 0) == 0 && path.size() > 8) {
    *route = "/images/{key}";
    return get ? GetImage(request, std::string_view(path).substr(8)) : allow("GET, HEAD");
  }
  if (path == "/healthz") {
    *route = path;
    return get ? JsonResponse(200, {{"status", "ok"}}) : allow("GET, HEAD");
  }
  if (path == "/readyz") {
    *route = path;
    return get ? Ready() : allow("GET, HEAD");
  }
  if (path == "/metrics") {
    *route = path;
    if (!get) return allow("GET, HEAD");
    HttpResponse r;
    r.headers.Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    r.body = metrics_.RenderPrometheus();
    return r;
  }
  return ClientError(404, "no route " + method + " " + path, "not_found");
}

HttpResponse Api::GenerateImage(const HttpRequest& request) {
  if (!IsJsonContentType(request)) {
    return ClientError(415, kJsonOnly, "unsupported_media_type");
  }
  auto spec = ParseJobJson(request.body, options_.sync_defaults, pipeline_.limits);
  if (!spec.ok()) return ErrorResponse(spec.status());
  GenerationRequest gen = spec->request;
  std::optional<MemoryBudget::Lease> lease =
      sync_memory_.TryAcquire(EstimateGenerationBytes(gen.width, gen.height));
  if (!lease) {
    metrics_
        .GetCounter("pictor_sync_generations_refused_total",
                    "POST /generate-image refused because the memory budget was in use.")
        .Increment();
    HttpResponse r = ClientError(
        503, "too many image generations in progress for this server's memory; retry shortly",
        "overloaded");
    r.headers.Set("Retry-After", "1");
    return r;
  }
  if (!spec->has_seed) gen.seed = static_cast<uint32_t>(RandomUpTo(kMaxSeed));
  std::string key = ImageKey(pipeline_.key_prefix, ImageOrigin::kApi, pipeline_.model.Name(),
                             gen.seed, NewUuid());
  auto stored = GenerateAndStore(pipeline_, gen, key, /*reuse_existing=*/false);
  const size_t held = lease->bytes();
  lease.reset();
  // The canvas is mmapped and unmapped (ReturnLargeBlocksToSystem); the many smaller blocks of
  // a large image are given back here rather than kept by the heap after a burst.
  if (held >= kTrimAfterBytes) TrimHeap();
  if (!stored.ok()) return ErrorResponse(stored.status());

  Json body = {{"message", "Image generated successfully"},
               {"key", key},
               {"url", ImageUrl(request, key)},
               {"seed", gen.seed},
               {"width", gen.width},
               {"height", gen.height},
               {"model", stored->image.model}};
  std::string location = pipeline_.store.Location(key);
  if (location.rfind("s3://", 0) == 0) body["s3_path"] = location;
  return JsonResponse(200, body);
}

namespace {

// Without a ledger nothing could answer GET /jobs/{id}, so POST /jobs is refused too.
HttpResponse NoLedger() {
  return ClientError(503,
                     "no job ledger is configured on this server: jobs need somewhere to keep "
                     "their status (--jobs store, or PICTOR_JOBS=store, keeps it in the store)",
                     "queue_unavailable");
}

}  // namespace

HttpResponse Api::SubmitJob(const HttpRequest& request) {
  if (queue_ == nullptr) {
    return ClientError(503, "no job queue is configured on this server", "queue_unavailable");
  }
  if (ledger_ == nullptr) return NoLedger();
  if (!IsJsonContentType(request)) {
    return ClientError(415, kJsonOnly, "unsupported_media_type");
  }
  std::string idempotency_key;
  if (auto k = request.headers.Get("Idempotency-Key")) {
    if (!IsValidIdempotencyKey(*k)) {
      return ClientError(400, "Idempotency-Key must be 1 to 255 visible ASCII characters",
                         "invalid_idempotency_key");
    }
    idempotency_key = std::string(*k);
  }
  auto spec = ParseJobJson(request.body, options_.job_defaults, pipeline_.limits);
  if (!spec.ok()) return ErrorResponse(spec.status());
  if (Status s = pipeline_.model.Check(spec->request); !s.ok()) return ErrorResponse(s);

  JobRecord record;
  record.created_ms = record.updated_ms = NowMs();
  record.id = NewTimeOrderedUuid(record.created_ms);  // the ledger's index grows at its end
  record.state = JobState::kQueued;
  record.prompt = spec->request.prompt;
  record.seed = spec->has_seed ? spec->request.seed : DeriveSeed(record.id);
  record.width = spec->request.width;
  record.height = spec->request.height;
  record.key = ImageKey(pipeline_.key_prefix, ImageOrigin::kQueue, pipeline_.model.Name(),
                        record.seed, record.id);
  record.idempotency_key = idempotency_key;
  record.request_digest = RequestDigest(spec->request, spec->has_seed);

  auto created = ledger_->Create(record);
  if (!created.ok()) return ErrorResponse(created.status());
  const JobRecord& job = created->record;
  std::string status_url = UrlBaseFor(request) + "/jobs/" + job.id;

  // The job's message. A replay builds it from its own request, which the digest check below
  // proves is the same request.
  auto send = [&]() -> Status {
    Json message = {{"job_id", job.id},
                    {"prompt", spec->request.prompt},
                    {"seed", job.seed},
                    {"width", job.width},
                    {"height", job.height}};
    if (!spec->request.negative_prompt.empty()) {
      message["negative_prompt"] = spec->request.negative_prompt;
    }
    auto sent = queue_->Send(OutgoingMessage{message.dump(), std::chrono::seconds(0)});
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
  HttpResponse r =
      JsonResponse(202, {{"id", job.id}, {"status", "queued"}, {"status_url", status_url}});
  r.headers.Set("Location", status_url);
  return r;
}

HttpResponse Api::GetJob(const HttpRequest& request, std::string_view id) {
  if (ledger_ == nullptr) return NoLedger();
  auto job = ledger_->Get(id);
  if (!job.ok()) {
    if (job.status().IsNotFound()) {
      return ClientError(404, "no job with id " + std::string(id), "job_not_found");
    }
    return ErrorResponse(job.status());
  }
  Json body = {{"id", job->id},
               {"status", JobStateName(job->state)},
               {"prompt", job->prompt},
               {"seed", job->seed},
               {"width", job->width},
               {"height", job->height},
               {"key", job->key},
               {"attempts", job->attempts},
               {"error", job->error.empty() ? Json(nullptr) : Json(job->error)},
               {"created_at", FormatIso8601(job->created_ms)},
               {"updated_at", FormatIso8601(job->updated_ms)}};
  body["url"] =
      job->state == JobState::kSucceeded ? Json(ImageUrl(request, job->key)) : Json(nullptr);
  return JsonResponse(200, body);
}

HttpResponse Api::GetImage(const HttpRequest& request, std::string_view key) {
  if (Status s = ValidateObjectKey(key); !s.ok()) return ErrorResponse(s);
  if (auto direct = pipeline_.store.DirectUrl(key, options_.url_ttl)) {
    HttpResponse r;
    r.status = 302;
    r.headers.Set("Location", *direct);
    return r;
  }
  auto object = pipeline_.store.Get(key);
  if (!object.ok()) {
    if (object.status().IsNotFound()) {
      return ClientError(404, "no image " + std::string(key), "image_not_found");
    }
    return ErrorResponse(object.status());
  }
  HttpResponse r;
  r.headers.Set("ETag", object->info.etag);
  r.headers.Set("Cache-Control", "public, max-age=86400");
  std::vector<std::string_view> if_none_match;
  for (const auto& [name, value] : request.headers.fields()) {
    if (EqualsIgnoreCase(name, "If-None-Match")) if_none_match.emplace_back(value);
  }
  if (IfNoneMatchHits(if_none_match, object->info.etag)) {
    r.status = 304;
    return r;
  }
  r.headers.Set("Content-Type", object->info.content_type);
  r.body = std::move(object->data);
  return r;
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
  if (auto direct = pipeline_.store.DirectUrl(key, options_.url_ttl)) return *direct;
  return UrlBaseFor(request) + "/images/" + PercentEncode(key, /*keep_slash=*/true);
}

std::string Api::UrlBaseFor(const HttpRequest& request) const {
  std::optional<std::string_view> host = request.headers.Get("Host");
  return UrlBase(options_.public_url, host ? &*host : nullptr);
}

}  // namespace pictor::http
