#include "app/specs.h"

#include <filesystem>

#include "queue/sqs/queue_url.h"
#include "store/s3/s3_store.h"

namespace pictor::app {
namespace {

constexpr std::string_view kSqlite = "sqlite:";
constexpr std::string_view kFile = "file:";
constexpr std::string_view kS3 = "s3://";

Status UnknownSpec(std::string_view what, std::string_view spec, std::string_view accepted) {
  std::string message = "unknown ";
  message.append(what).append(" '").append(spec).append("'; accepted: ").append(accepted);
  return Status::InvalidArgument(std::move(message), "unknown_spec");
}

// "what 'scheme' needs a thing: form", for a scheme given without its argument.
Status Incomplete(std::string_view what, std::string_view scheme, std::string_view form) {
  std::string message(what);
  message.append(" '").append(scheme).append("' needs ").append(form);
  return Status::InvalidArgument(std::move(message));
}

}  // namespace

Result<ModelSpec> ParseModelSpec(std::string_view spec) {
  ModelSpec out;
  if (spec == "builtin") return out;
  if (spec.starts_with("bedrock:")) {
    out.kind = ModelSpec::Kind::kBedrock;
    out.model_id = std::string(spec.substr(8));
    if (out.model_id.empty())
      return Incomplete("model", "bedrock:", "a model id: bedrock:MODEL_ID");
    return out;
  }
  if (spec.starts_with("openai:")) {
    out.kind = ModelSpec::Kind::kOpenAi;
    out.base_url = std::string(spec.substr(7));
    if (out.base_url.empty()) return Incomplete("model", "openai:", "a base URL: openai:BASE_URL");
    return out;
  }
  return UnknownSpec("model", spec, kModelForms);
}

Result<StoreSpec> ParseStoreSpec(std::string_view spec) {
  StoreSpec out;
  if (spec.starts_with(kFile)) {
    out.dir = std::string(spec.substr(kFile.size()));
    if (out.dir.empty()) return Incomplete("store", kFile, "a directory: file:DIR");
    return out;
  }
  if (spec.starts_with(kS3)) {
    auto s3 = ParseS3Spec(spec);  // the S3 adapter's own reading of its URL
    if (!s3.ok()) return s3.status();
    out.kind = StoreSpec::Kind::kS3;
    out.bucket = std::move(s3->bucket);
    out.prefix = std::move(s3->prefix);
    return out;
  }
  return UnknownSpec("store", spec, kStoreForms);
}

Result<QueueSpec> ParseQueueSpec(std::string_view spec) {
  QueueSpec out;
  if (spec.starts_with(kSqlite)) {
    out.path = std::string(spec.substr(kSqlite.size()));
    if (out.path.empty()) return Incomplete("queue", kSqlite, "a file: sqlite:PATH");
    return out;
  }
  if (sqs::IsSqsQueueUrl(spec)) {
    auto url = sqs::ParseQueueUrl(spec);  // the SQS adapter's own reading of its URL
    if (!url.ok()) return url.status();
    out.kind = QueueSpec::Kind::kSqs;
    out.url = std::move(url->url);
    out.account = std::move(url->account);
    out.name = std::move(url->name);
    out.region = std::move(url->region);
    return out;
  }
  return UnknownSpec("queue", spec, kQueueForms);
}

std::optional<std::string> FileBesideQueue(const QueueSpec& queue, std::string_view extension) {
  if (queue.kind != QueueSpec::Kind::kSqlite) return std::nullopt;
  std::filesystem::path file(queue.path);
  return (file.parent_path() / (file.stem().string() + std::string(extension))).string();
}

Result<LedgerSpec> ParseLedgerSpec(std::string_view spec, const QueueSpec* queue) {
  LedgerSpec out;
  if (spec.empty()) {
    if (queue != nullptr) {
      if (auto beside = FileBesideQueue(*queue, ".jobs.db")) {
        out.kind = LedgerSpec::Kind::kSqlite;
        out.path = std::move(*beside);
      }
    }
    return out;
  }
  if (spec == "none") return out;
  if (spec == "store") {
    out.kind = LedgerSpec::Kind::kImageStore;
    return out;
  }
  if (spec.starts_with(kSqlite)) {
    out.kind = LedgerSpec::Kind::kSqlite;
    out.path = std::string(spec.substr(kSqlite.size()));
    if (out.path.empty()) return Incomplete("job ledger", kSqlite, "a file: sqlite:PATH");
    return out;
  }
  if (spec.starts_with(kFile) || spec.starts_with(kS3)) {
    auto store = ParseStoreSpec(spec);
    if (!store.ok()) return store.status();
    out.kind = LedgerSpec::Kind::kOwnStore;
    out.store = std::move(store).value();
    return out;
  }
  return UnknownSpec("job ledger", spec, kLedgerForms);
}

KeyStoreSpec KeyStoreSpecFor(const LedgerSpec& ledger) {
  KeyStoreSpec out;
  switch (ledger.kind) {
    case LedgerSpec::Kind::kSqlite:
      out.kind = KeyStoreSpec::Kind::kSqlite;
      out.path = ledger.path;
      break;
    case LedgerSpec::Kind::kOwnStore:
      out.kind = KeyStoreSpec::Kind::kOwnStore;
      out.store = ledger.store;
      break;
    case LedgerSpec::Kind::kImageStore:
    case LedgerSpec::Kind::kNone:
      out.kind = KeyStoreSpec::Kind::kImageStore;
      break;
  }
  return out;
}

Result<NotifierSpec> ParseNotifierSpec(std::string_view spec) {
  NotifierSpec out;
  out.target = std::string(spec);
  if (spec.starts_with("smtp://") || spec.starts_with("smtps://")) return out;
  if (spec.starts_with("arn:")) {
    out.kind = NotifierSpec::Kind::kSns;
    return out;
  }
  if (spec.starts_with("http://") || spec.starts_with("https://")) {
    out.kind = NotifierSpec::Kind::kWebhook;
    return out;
  }
  return UnknownSpec("notifier", spec, kNotifierForms);
}

std::string DefaultAlarmStatePath(const QueueSpec& queue) {
  return FileBesideQueue(queue, ".alarm.db").value_or("./var/alarm.db");
}

}  // namespace pictor::app
