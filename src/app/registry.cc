#include "app/registry.h"

#include <filesystem>

#include "ledger/sqlite/sqlite_ledger.h"
#include "ledger/store/store_ledger.h"
#include "model/bedrock/bedrock_model.h"
#include "model/builtin/builtin_model.h"
#include "model/openai/openai_model.h"
#include "queue/sqlite/sqlite_queue.h"
#include "queue/sqs/sqs_queue.h"
#include "store/file/file_store.h"
#include "store/s3/s3_store.h"

namespace pictor::app {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

Status UnknownSpec(std::string_view what, std::string_view spec, std::string_view accepted) {
  return Status::InvalidArgument("unknown " + std::string(what) + " '" + std::string(spec) +
                                     "'; accepted: " + std::string(accepted),
                                 "unknown_spec");
}

constexpr std::string_view kModels = "builtin, bedrock:MODEL_ID, openai:BASE_URL";
constexpr std::string_view kStores = "file:DIR, s3://BUCKET[/PREFIX]";
constexpr std::string_view kQueues =
    "sqlite:PATH, an SQS queue URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME or "
    "http(s)://HOST/ACCOUNT/NAME)";
constexpr std::string_view kLedgers = "sqlite:PATH, store, file:DIR, s3://BUCKET[/PREFIX], none";

}  // namespace

Result<std::unique_ptr<ImageModel>> MakeModel(std::string_view spec) {
  if (spec == "builtin") return NewBuiltinModel();
  if (StartsWith(spec, "bedrock:")) return OpenBedrockModel(spec.substr(8));
  if (StartsWith(spec, "openai:")) return OpenOpenAiModel(spec.substr(7));
  return UnknownSpec("model", spec, kModels);
}

Result<std::unique_ptr<ObjectStore>> MakeStore(std::string_view spec) {
  if (StartsWith(spec, "file:")) {
    std::string dir(spec.substr(5));
    if (dir.empty()) return Status::InvalidArgument("store 'file:' needs a directory: file:DIR");
    return OpenFileStore(dir);
  }
  if (StartsWith(spec, "s3://")) {
    auto options = ParseS3Spec(spec);
    if (!options.ok()) return options.status();
    return OpenS3Store(std::move(options).value());
  }
  return UnknownSpec("store", spec, kStores);
}

Result<std::unique_ptr<JobQueue>> MakeQueue(std::string_view spec, const QueueSettings& settings) {
  if (StartsWith(spec, "sqlite:")) {
    SqliteQueueOptions options;
    options.path = std::string(spec.substr(7));
    if (options.path.empty()) {
      return Status::InvalidArgument("queue 'sqlite:' needs a file: sqlite:PATH");
    }
    options.max_receive_count = settings.max_receive_count;
    return OpenSqliteQueue(options);
  }
  if (IsSqsQueueUrl(spec)) {
    SqsQueueOptions options;
    options.queue_url = std::string(spec);
    options.dead_letter_queue_url = settings.dead_letter_queue_url;
    return OpenSqsQueue(options);
  }
  return UnknownSpec("queue", spec, kQueues);
}

Result<LedgerParts> MakeLedger(std::string_view spec, const LedgerContext& context) {
  LedgerParts parts;
  if (spec.empty()) {
    if (StartsWith(context.queue_spec, "sqlite:")) {
      std::filesystem::path q(std::string(context.queue_spec.substr(7)));
      std::filesystem::path ledger = q.parent_path() / (q.stem().string() + ".jobs.db");
      auto opened = OpenSqliteLedger(ledger.string());
      if (!opened.ok()) return opened.status();
      parts.ledger = std::move(opened).value();
    }
    return parts;
  }
  if (spec == "none") return parts;
  if (StartsWith(spec, "sqlite:")) {
    if (spec.size() == 7) {
      return Status::InvalidArgument("job ledger 'sqlite:' needs a file: sqlite:PATH");
    }
    auto opened = OpenSqliteLedger(std::string(spec.substr(7)));
    if (!opened.ok()) return opened.status();
    parts.ledger = std::move(opened).value();
    return parts;
  }
  ObjectStore* store = nullptr;
  std::string prefix = "jobs";
  if (spec == "store") {
    if (context.store == nullptr) {
      return Status::InvalidArgument("job ledger 'store' needs an image store (--store)");
    }
    store = context.store;
    if (!context.key_prefix.empty()) prefix = std::string(context.key_prefix) + "/jobs";
  } else if (StartsWith(spec, "file:") || StartsWith(spec, "s3://")) {
    auto own = MakeStore(spec);
    if (!own.ok()) return own.status();
    parts.own_store = std::move(own).value();
    store = parts.own_store.get();
  } else {
    return UnknownSpec("job ledger", spec, kLedgers);
  }
  auto opened = OpenStoreLedger(*store, prefix);
  if (!opened.ok()) return opened.status();
  parts.ledger = std::move(opened).value();
  return parts;
}

}  // namespace pictor::app
