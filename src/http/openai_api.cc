// The OpenAI-compatible routes of the Api (openai_api.h): generations, and the model list.
#include "http/openai_api.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "core/base64.h"
#include "core/ids.h"
#include "http/api.h"
#include "http/api_responses.h"
#include "http/openai_errors.h"

namespace pictor::http {
namespace {

using Json = nlohmann::json;

// Runs part(i) for every i in [0, n): the first on the calling thread, the others on threads of
// their own, so n remote generations take about as long as one. A thread that cannot be started
// runs its part on the calling thread instead: slower, never a failure of the request.
void RunConcurrently(int n, const std::function<void(int)>& part) {
  std::vector<std::thread> threads;
  std::vector<int> here = {0};
  for (int i = 1; i < n; ++i) {
    try {
      threads.emplace_back(part, i);
    } catch (const std::system_error&) {
      here.push_back(i);
    }
  }
  for (int i : here) part(i);
  for (std::thread& t : threads) t.join();
}

Json ModelObject(const std::string& id, int64_t created) {
  return {{"id", id}, {"object", "model"}, {"created", created}, {"owned_by", "pictor"}};
}

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

HttpResponse NoSuchModel(std::string_view name, std::string_view param) {
  std::string shown(name.substr(0, 80));
  return OpenAiError(404,
                     "the model '" + shown +
                         "' does not exist on this server; GET /v1/models lists the models it "
                         "serves",
                     "model_not_found", param);
}

}  // namespace

HttpResponse Api::OpenAiGenerations(const HttpRequest& request) {
  if (!IsJsonContentType(request)) {
    return OpenAiError(415,
                       "the request body must be JSON, sent with Content-Type: "
                       "application/json",
                       "unsupported_media_type");
  }
  std::string param;
  auto parsed =
      ParseOpenAiImageRequest(request.body, options_.sync_defaults, pipeline_.limits, &param);
  if (!parsed.ok()) return OpenAiErrorResponse(parsed.status(), param);
  const Pipeline* pipeline = models_->Find(parsed->model);
  if (pipeline == nullptr) return NoSuchModel(parsed->model, "model");
  const GenerationRequest& asked = parsed->request;
  if (Status s = ValidateRequest(asked, pipeline->limits); !s.ok()) {
    return OpenAiErrorResponse(s, s.reason() == "invalid_size" ? "size" : "prompt");
  }
  if (Status s = pipeline->model.Check(asked); !s.ok()) {
    return OpenAiErrorResponse(s, s.reason() == "invalid_size" ? "size" : "");
  }

  const int n = parsed->n;
  // Before any model call: every image of the request must fit the caller's and the global
  // budgets (each is then charged on its own as it is generated).
  if (Status s = AdmitSpend(request.caller, pipeline->model.PriceUsd(asked) * n); !s.ok()) {
    return Refusal(request, s);
  }
  std::optional<MemoryBudget::Lease> lease =
      sync_memory_.TryAcquire(EstimateGenerationBytes(asked.width, asked.height) * n);
  if (!lease) {
    metrics_
        .GetCounter("pictor_sync_generations_refused_total",
                    "POST /generate-image refused because the memory budget was in use.")
        .Increment();
    HttpResponse r = OpenAiError(
        503, "too many image generations in progress for this server's memory; retry shortly",
        "overloaded");
    r.headers.Set("Retry-After", "1");
    return r;
  }

  std::vector<GenerationRequest> images(n, asked);
  std::vector<std::string> keys(n);
  for (int i = 0; i < n; ++i) {
    images[i].seed = parsed->has_seed
                         ? static_cast<uint32_t>((uint64_t{asked.seed} + i) % (kMaxSeed + 1ULL))
                         : static_cast<uint32_t>(RandomUpTo(kMaxSeed));
    keys[i] = ImageKey(pipeline->key_prefix, ImageOrigin::kApi, pipeline->model.Name(),
                       images[i].seed, NewUuid());
  }
  // Each image is generated, stored and (through the pipeline) charged on its own; the request
  // succeeds only when all of them do, as OpenAI's does. An image stored before another failed
  // stays stored under its key.
  std::vector<Result<StoredImage>> stored(n, Status::Internal("not generated"));
  const std::string request_id = NewUuid();
  RunConcurrently(n, [&](int i) {
    stored[i] = GenerateAndStore(
        *pipeline, images[i], keys[i], /*reuse_existing=*/false,
        Attribution{request.caller.key_name, "req:" + request_id + "-" + std::to_string(i)});
  });
  for (const Result<StoredImage>& s : stored) {
    if (!s.ok()) return Refusal(request, s.status());
  }

  Json data = Json::array();
  for (int i = 0; i < n; ++i) {
    if (parsed->format == ImageResponseFormat::kB64Json) {
      data.push_back({{"b64_json", Base64Encode(stored[i]->image.png)}});
    } else {
      data.push_back({{"url", ImageUrl(request, keys[i])}});
    }
  }
  stored.clear();
  lease.reset();
  return JsonResponse(200, {{"created", NowSeconds()}, {"data", std::move(data)}});
}

HttpResponse Api::OpenAiModels() {
  Json data = Json::array();
  for (const std::string& id : models_->Ids()) {
    data.push_back(ModelObject(id, models_->CreatedSeconds()));
  }
  return JsonResponse(200, {{"object", "list"}, {"data", std::move(data)}});
}

HttpResponse Api::OpenAiModel(std::string_view id) {
  for (const std::string& listed : models_->Ids()) {
    if (listed == id) return JsonResponse(200, ModelObject(listed, models_->CreatedSeconds()));
  }
  return NoSuchModel(id, "");
}

}  // namespace pictor::http
