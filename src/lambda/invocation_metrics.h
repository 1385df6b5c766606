// What one Lambda invocation did, written as a CloudWatch Embedded Metric Format line
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html):
// jobs, failures, and the generation and storage latencies of its images. The latencies are
// taken by decorators around the model and the store, so every path (API and SQS) is timed.
#ifndef PICTOR_LAMBDA_INVOCATION_METRICS_H_
#define PICTOR_LAMBDA_INVOCATION_METRICS_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "pictor/image_model.h"
#include "pictor/object_store.h"
#include "pictor/status.h"

namespace pictor::lambda {

// What the decorators observed since the last Drain: latencies, and the list price of the
// images made (the same price the pipeline charges and counts in pictor_spend_usd_total).
// Thread-safety: thread-safe.
class InvocationLog {
 public:
  struct Drained {
    std::vector<double> generation_ms;
    std::vector<double> storage_ms;
    double spend_usd = 0;
  };
  void AddGeneration(double ms);
  void AddStorage(double ms);
  void AddSpend(double usd);
  Drained Drain();

 private:
  std::mutex mu_;  // guards latest_
  Drained latest_;
};

// Decorators that forward every call and log Generate / Put latencies, and the price of each
// image Generate made. Both borrow `inner` and `log`, which outlive them.
std::unique_ptr<ImageModel> NewTimedModel(ImageModel& inner, InvocationLog& log);
std::unique_ptr<ObjectStore> NewTimedStore(ObjectStore& inner, InvocationLog& log);

struct InvocationCounts {
  std::string handler;  // "api", "sqs"
  int jobs = 0;
  int failures = 0;
};

// The namespace of the metrics when none is configured (PICTOR_METRICS_NAMESPACE).
inline constexpr std::string_view kDefaultMetricsNamespace = "Pictor";

// Ok when `name` is a namespace CloudWatch accepts and Pictor may write: 1 to 255 of
// A-Z a-z 0-9 . - _ / # : and space, not only spaces, and not under "AWS/" (AWS's own).
Status CheckMetricsNamespace(std::string_view name);

// One EMF JSON object (no newline) in `metrics_namespace` with dimension Handler: Jobs,
// Failures, GenerationLatency and StorageLatency (when any), SpendUsd (when above 0). Deployments
// that share an account (dev and prod) give each its own namespace, so their series and alarms
// never mix.
std::string EmfLine(const InvocationCounts& counts, const InvocationLog::Drained& latencies,
                    int64_t timestamp_ms,
                    std::string_view metrics_namespace = kDefaultMetricsNamespace);

}  // namespace pictor::lambda

#endif  // PICTOR_LAMBDA_INVOCATION_METRICS_H_
