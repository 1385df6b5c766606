// What a spec string says, parsed once: "sqlite:./var/queue.db", an SQS queue URL, "s3://b/p",
// "bedrock:amazon.titan-image-generator-v2:0", "smtp://mail:25", ... Every decision that
// depends on the kind of a backend (which adapter to open, whether the job routes may run on the
// event loop, where the alarm reads its metric, which file sits beside the queue) asks these
// values, never the strings. registry.h turns them into adapters.
//
// Each parser answers InvalidArgument (reason "unknown_spec" for an unknown scheme) with a
// message that names the accepted forms. Pure functions: no I/O, no environment.
#ifndef PICTOR_APP_SPECS_H_
#define PICTOR_APP_SPECS_H_

#include <optional>
#include <string>
#include <string_view>

#include "pictor/status.h"

namespace pictor::app {

// The accepted forms, as the errors and --help name them.
inline constexpr std::string_view kModelForms = "builtin, bedrock:MODEL_ID, openai:BASE_URL";
inline constexpr std::string_view kStoreForms = "file:DIR, s3://BUCKET[/PREFIX]";
inline constexpr std::string_view kQueueForms =
    "sqlite:PATH, an SQS queue URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME or "
    "http(s)://HOST/ACCOUNT/NAME)";
inline constexpr std::string_view kLedgerForms =
    "sqlite:PATH, store, file:DIR, s3://BUCKET[/PREFIX], none";
inline constexpr std::string_view kNotifierForms =
    "smtp://HOST:PORT, smtps://HOST:PORT, arn:aws:sns:REGION:ACCOUNT:TOPIC, http(s)://URL";

struct ModelSpec {
  enum class Kind { kBuiltin, kBedrock, kOpenAi };
  Kind kind = Kind::kBuiltin;
  std::string model_id;  // kBedrock: "amazon.titan-image-generator-v2:0"
  std::string base_url;  // kOpenAi: "https://api.openai.com/v1"
};
Result<ModelSpec> ParseModelSpec(std::string_view spec);

struct StoreSpec {
  enum class Kind { kFile, kS3 };
  Kind kind = Kind::kFile;
  std::string dir;     // kFile
  std::string bucket;  // kS3
  std::string prefix;  // kS3: the store's own key prefix, may be empty
};
Result<StoreSpec> ParseStoreSpec(std::string_view spec);

struct QueueSpec {
  enum class Kind { kSqlite, kSqs };
  Kind kind = Kind::kSqlite;
  std::string path;  // kSqlite: the database file
  // kSqs, from the queue URL (sqs::ParseQueueUrl, the SQS adapter's own parser):
  std::string url;      // as requests send it, without a trailing '/'
  std::string account;  // "123456789012"
  std::string name;     // "prompts"
  std::string region;   // from an AWS host (sqs.REGION.amazonaws.com, ...); "" for any other

  // SQS on AWS itself (its host names a region), as opposed to an SQS-compatible server.
  bool OnAws() const { return kind == Kind::kSqs && !region.empty(); }
};
Result<QueueSpec> ParseQueueSpec(std::string_view spec);

// A file of the queue's own beside a SQLite queue: "dir/queue.db" with ".jobs.db" gives
// "dir/queue.jobs.db". nullopt for an SQS queue, which has no file to sit beside.
std::optional<std::string> FileBesideQueue(const QueueSpec& queue, std::string_view extension);

// The job ledger. An empty spec is derived from the command's queue: a SQLite file beside a
// SQLite queue (FileBesideQueue ".jobs.db"), else none.
struct LedgerSpec {
  enum class Kind {
    kNone,        // no job records: workers run without them, the job routes answer 503
    kSqlite,      // path
    kImageStore,  // JSON records in the image store, under <key prefix>/jobs/
    kOwnStore,    // JSON records in a store of their own (file:DIR, s3://...), under jobs/
  };
  Kind kind = Kind::kNone;
  std::string path;  // kSqlite
  StoreSpec store;   // kOwnStore
};
// `queue`: the command's queue, or nullptr when it has none (then "" means none).
Result<LedgerSpec> ParseLedgerSpec(std::string_view spec, const QueueSpec* queue);

// Where API keys are kept, derived from the job ledger's spec so that `pictor keys` finds the
// keys `serve`, `worker` and the Lambda functions of one deployment read, from the same flags
// (--queue, --jobs, --store, --key-prefix) and environment:
//   ledger sqlite:PATH (the default beside a SQLite queue)  the table api_keys in that file
//   ledger store, or none (SQS without records)              the image store, <prefix>/keys/
//   ledger file:DIR or s3://...                               that store, keys/ (beside jobs/)
struct KeyStoreSpec {
  enum class Kind {
    kSqlite,      // path
    kImageStore,  // JSON records in the image store, under <key prefix>/keys/
    kOwnStore,    // JSON records in the ledger's own store, under keys/
  };
  Kind kind = Kind::kImageStore;
  std::string path;  // kSqlite
  StoreSpec store;   // kOwnStore
};
KeyStoreSpec KeyStoreSpecFor(const LedgerSpec& ledger);

// An alarm notifier (--notify).
struct NotifierSpec {
  enum class Kind { kSmtp, kSns, kWebhook };
  Kind kind = Kind::kSmtp;
  std::string target;  // the smtp:// or smtps:// URL, the topic ARN, the webhook URL
};
Result<NotifierSpec> ParseNotifierSpec(std::string_view spec);

// The alarm's state file when --alarm-state is not given: beside a SQLite queue
// (FileBesideQueue ".alarm.db"), else ./var/alarm.db.
std::string DefaultAlarmStatePath(const QueueSpec& queue);

}  // namespace pictor::app

#endif  // PICTOR_APP_SPECS_H_
