#include "lambda/invocation_metrics.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <utility>

namespace pictor::lambda {
namespace {

double MsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

class TimedModel final : public ImageModel {
 public:
  TimedModel(ImageModel& inner, LatencyLog& log) : inner_(inner), log_(log) {}
  std::string Name() const override { return inner_.Name(); }
  Status Check(const GenerationRequest& request) const override { return inner_.Check(request); }
  Result<GeneratedImage> Generate(const GenerationRequest& request) override {
    auto start = std::chrono::steady_clock::now();
    auto image = inner_.Generate(request);
    log_.AddGeneration(MsSince(start));
    return image;
  }

 private:
  ImageModel& inner_;
  LatencyLog& log_;
};

class TimedStore final : public ObjectStore {
 public:
  TimedStore(ObjectStore& inner, LatencyLog& log) : inner_(inner), log_(log) {}
  Status Put(std::string_view key, std::string_view data, std::string_view content_type) override {
    auto start = std::chrono::steady_clock::now();
    Status s = inner_.Put(key, data, content_type);
    log_.AddStorage(MsSince(start));
    return s;
  }
  Status PutIfAbsent(std::string_view key, std::string_view data,
                     std::string_view content_type) override {
    return inner_.PutIfAbsent(key, data, content_type);
  }
  Status Delete(std::string_view key) override { return inner_.Delete(key); }
  Result<StoredObject> Get(std::string_view key) override { return inner_.Get(key); }
  Result<ObjectInfo> Head(std::string_view key) override { return inner_.Head(key); }
  Result<std::vector<ObjectInfo>> List(std::string_view prefix, size_t max_keys) override {
    return inner_.List(prefix, max_keys);
  }
  std::string Location(std::string_view key) const override { return inner_.Location(key); }
  std::optional<std::string> DirectUrl(std::string_view key, std::chrono::seconds ttl) override {
    return inner_.DirectUrl(key, ttl);
  }

 private:
  ObjectStore& inner_;
  LatencyLog& log_;
};

}  // namespace

void LatencyLog::AddGeneration(double ms) {
  std::lock_guard lock(mu_);
  latest_.generation_ms.push_back(ms);
}

void LatencyLog::AddStorage(double ms) {
  std::lock_guard lock(mu_);
  latest_.storage_ms.push_back(ms);
}

LatencyLog::Drained LatencyLog::Drain() {
  std::lock_guard lock(mu_);
  return std::exchange(latest_, Drained{});
}

std::unique_ptr<ImageModel> NewTimedModel(ImageModel& inner, LatencyLog& log) {
  return std::make_unique<TimedModel>(inner, log);
}

std::unique_ptr<ObjectStore> NewTimedStore(ObjectStore& inner, LatencyLog& log) {
  return std::make_unique<TimedStore>(inner, log);
}

std::string EmfLine(const InvocationCounts& counts, const LatencyLog::Drained& latencies,
                    int64_t timestamp_ms) {
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
  doc["_aws"] = {
      {"Timestamp", timestamp_ms},
      {"CloudWatchMetrics",
       json::array(
           {{{"Namespace", "Pictor"}, {"Dimensions", {{"Handler"}}}, {"Metrics", metrics}}})}};
  return doc.dump();
}

}  // namespace pictor::lambda
