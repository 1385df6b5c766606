#include "lambda/invocation_metrics.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <utility>

#include "pictor/image_model_wrapper.h"
#include "pictor/object_store_wrapper.h"

namespace pictor::lambda {
namespace {

double MsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

// Forwards everything through ImageModelWrapper; times Generate and prices what it made.
class TimedModel final : public ImageModelWrapper {
 public:
  TimedModel(ImageModel& inner, InvocationLog& log) : ImageModelWrapper(inner), log_(log) {}
  Result<GeneratedImage> Generate(const GenerationRequest& request) override {
    auto start = std::chrono::steady_clock::now();
    auto image = ImageModelWrapper::Generate(request);
    log_.AddGeneration(MsSince(start));
    if (image.ok()) log_.AddSpend(PriceUsd(request));
    return image;
  }

 private:
  InvocationLog& log_;
};

// Forwards everything through ObjectStoreWrapper and times only Put, the image's write.
class TimedStore final : public ObjectStoreWrapper {
 public:
  TimedStore(ObjectStore& inner, InvocationLog& log) : ObjectStoreWrapper(inner), log_(log) {}
  Status Put(std::string_view key, std::string_view data, std::string_view content_type) override {
    auto start = std::chrono::steady_clock::now();
    Status s = ObjectStoreWrapper::Put(key, data, content_type);
    log_.AddStorage(MsSince(start));
    return s;
  }

 private:
  InvocationLog& log_;
};

}  // namespace

void InvocationLog::AddGeneration(double ms) {
  std::lock_guard lock(mu_);
  latest_.generation_ms.push_back(ms);
}

void InvocationLog::AddStorage(double ms) {
  std::lock_guard lock(mu_);
  latest_.storage_ms.push_back(ms);
}

void InvocationLog::AddSpend(double usd) {
  std::lock_guard lock(mu_);
  latest_.spend_usd += usd;
}

InvocationLog::Drained InvocationLog::Drain() {
  std::lock_guard lock(mu_);
  return std::exchange(latest_, Drained{});
}

std::unique_ptr<ImageModel> NewTimedModel(ImageModel& inner, InvocationLog& log) {
  return std::make_unique<TimedModel>(inner, log);
}

std::unique_ptr<ObjectStore> NewTimedStore(ObjectStore& inner, InvocationLog& log) {
  return std::make_unique<TimedStore>(inner, log);
}

Status CheckMetricsNamespace(std::string_view name) {
  if (name.empty() || name.size() > 255) {
    return Status::InvalidArgument("a metrics namespace has 1 to 255 characters");
  }
  bool visible = false;
  for (const char c : name) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' || c == '/' ||
                         c == '#' || c == ':' || c == ' ';
    if (!allowed) {
      return Status::InvalidArgument(
          "a metrics namespace has only letters, digits, spaces and . - _ / # :");
    }
    visible = visible || c != ' ';
  }
  if (!visible) return Status::InvalidArgument("a metrics namespace is not only spaces");
  if (name.starts_with("AWS/")) {
    return Status::InvalidArgument("namespaces under AWS/ are AWS's own");
  }
  return Status::Ok();
}

std::string EmfLine(const InvocationCounts& counts, const InvocationLog::Drained& latencies,
                    int64_t timestamp_ms, std::string_view metrics_namespace) {
  using nlohmann::json;
  json metrics = json::array(
      {{{"Name", "Jobs"}, {"Unit", "Count"}}, {{"Name", "Failures"}, {"Unit", "Count"}}});
  json doc = {{"Handler", counts.handler}, {"Jobs", counts.jobs}, {"Failures", counts.failures}};
  // EMF takes an array of values for one metric; an empty one is left out rather than sent.
  if (!latencies.generation_ms.empty()) {
    metrics.push_back({{"Name", "GenerationLatency"}, {"Unit", "Milliseconds"}});
    doc["GenerationLatency"] = latencies.generation_ms;
  }
  if (!latencies.storage_ms.empty()) {
    metrics.push_back({{"Name", "StorageLatency"}, {"Unit", "Milliseconds"}});
    doc["StorageLatency"] = latencies.storage_ms;
  }
  if (latencies.spend_usd > 0) {
    metrics.push_back({{"Name", "SpendUsd"}, {"Unit", "None"}});
    doc["SpendUsd"] = latencies.spend_usd;
  }
  doc["_aws"] = {{"Timestamp", timestamp_ms},
                 {"CloudWatchMetrics", json::array({{{"Namespace", metrics_namespace},
                                                     {"Dimensions", {{"Handler"}}},
                                                     {"Metrics", metrics}}})}};
  return doc.dump();
}

}  // namespace pictor::lambda
