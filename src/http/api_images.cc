// The image routes: POST /generate-image (generate now, under a memory budget) and
// GET /images/{key} (the stored PNG, with ETag and If-None-Match, or a redirect to the store).
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/ascii.h"
#include "core/ids.h"
#include "core/pipeline.h"
#include "http/api.h"
#include "http/api_responses.h"
#include "http/entity_tag.h"

namespace pictor::http {
namespace {

// A synchronous generation that held at least this much trims the heap after it.
constexpr size_t kTrimAfterBytes = 16 * 1024 * 1024;

}  // namespace

HttpResponse Api::GenerateImage(const HttpRequest& request) {
  if (!IsJsonContentType(request)) return NotJson();
  auto spec = ParseJobJson(request.body, options_.sync_defaults, pipeline_.limits);
  if (!spec.ok()) return ErrorResponse(spec.status());
  GenerationRequest gen = spec->request;
  if (Status s = AdmitSpend(request.caller, PriceOf(gen)); !s.ok()) return Refusal(request, s);
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
  const std::string request_id = NewUuid();
  std::string key = ImageKey(pipeline_.key_prefix, ImageOrigin::kApi, pipeline_.model.Name(),
                             gen.seed, request_id);
  // Charged to the caller's key (none without authentication) under the request's own id.
  auto stored = GenerateAndStore(pipeline_, gen, key, /*reuse_existing=*/false,
                                 Attribution{request.caller.key_name, "req:" + request_id});
  const size_t held = lease->bytes();
  lease.reset();
  // The canvas is mmapped and unmapped (ReturnLargeBlocksToSystem); the many smaller blocks of
  // a large image are given back here rather than kept by the heap after a burst.
  if (held >= kTrimAfterBytes) TrimHeap();
  if (!stored.ok()) return Refusal(request, stored.status());

  nlohmann::json body = {{"message", "Image generated successfully"},
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

HttpResponse Api::GetImage(const HttpRequest& request, std::string_view key) {
  if (Status s = ValidateObjectKey(key); !s.ok()) return ErrorResponse(s);
  // Only images: the job records, API key hashes, charges and webhook deliveries that may share
  // the store are not this route's to serve, and answer as if they did not exist.
  if (!key.starts_with(ImageKeyPrefix(pipeline_.key_prefix))) {
    return ClientError(404, "no image " + std::string(key), "image_not_found");
  }
  // ?redirect=false: the bytes from this server even when the store hands out direct URLs (the
  // page asks so: a redirect to another origin would need that origin in its CSP, and CORS on the
  // bucket for a fetch with a key).
  bool redirect = true;
  for (std::string_view query = request.query; !query.empty();) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (!pair.starts_with("redirect=")) continue;
    const std::string_view value = pair.substr(9);
    if (value == "false" || value == "0") {
      redirect = false;
    } else if (value != "true" && value != "1") {
      return ClientError(400, "redirect must be true or false", "invalid_query");
    }
  }
  if (auto direct = redirect ? pipeline_.store.DirectUrl(key, options_.url_ttl) : std::nullopt) {
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
  // Behind keys, a shared cache must not hand one caller's image to another.
  r.headers.Set("Cache-Control",
                access_.authenticating() ? "private, max-age=86400" : "public, max-age=86400");
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

}  // namespace pictor::http
