// Settings shared by the subcommands: flags, with environment variables as fallbacks.
#ifndef PICTOR_APP_SETTINGS_H_
#define PICTOR_APP_SETTINGS_H_

#include <CLI/CLI.hpp>

#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "app/specs.h"
#include "core/number_flags.h"
#include "core/pipeline.h"
#include "core/validation.h"
#include "pictor/image_model.h"
#include "pictor/job_ledger.h"
#include "pictor/job_queue.h"
#include "pictor/metrics.h"
#include "pictor/object_store.h"
#include "pictor/spend_ledger.h"

namespace pictor::app {

// Defaults: everything embedded, under ./var.
inline constexpr const char* kDefaultModel = "builtin";
inline constexpr const char* kDefaultStore = "file:./var/images";
inline constexpr const char* kDefaultQueue = "sqlite:./var/queue.db";

struct CommonSettings {
  std::string model;
  std::string store;
  std::string queue;
  std::string jobs;               // job ledger spec; empty = beside the queue
  std::string dead_letter_queue;  // SQS only
  std::string key_prefix;
  int max_prompt_chars = static_cast<int>(RequestLimits{}.max_prompt_chars);
  int max_receive_count = 5;
  std::string log_level = "info";
  std::string log_format;            // text | json (serve, worker); env PICTOR_LOG_FORMAT
  std::string config_file;           // TOML (app/spend_config.h); env PICTOR_CONFIG
  std::vector<std::string> budgets;  // --budget, repeatable: the global budgets
};

// Which settings a subcommand takes.
enum SettingParts : unsigned {
  kModelPart = 1,
  kStorePart = 2,
  kQueuePart = 4,
  kLedgerPart = 8,
};
// --config goes with the model part (prices); --budget with the model and ledger parts together
// (a process that charges: serve, worker, lambda).

// Adds --model, --store, --queue, --jobs, --key-prefix, ... as `parts` says.
void AddCommonOptions(CLI::App& command, CommonSettings& settings, unsigned parts);

// Adds --log-format (text or json; env PICTOR_LOG_FORMAT) for the long-running commands.
void AddLogFormatOption(CLI::App& command, CommonSettings& settings);

// Fills what no flag set from the environment (PICTOR_MODEL, PICTOR_STORE, PICTOR_QUEUE or
// SQS_QUEUE_URL, PICTOR_JOBS, KEY_PREFIX or CANDIDATE_PREFIX, PICTOR_LOG_LEVEL,
// PICTOR_LOG_FORMAT), then from the
// defaults.
void ApplyEnvironment(CommonSettings& settings);

// The first non-empty environment variable of `names`, or "".
std::string FirstEnv(std::initializer_list<const char*> names);

// "512x768" → width, height. InvalidArgument otherwise.
Status ParseSize(const std::string& text, int* width, int* height);

// "127.0.0.1:8080", "[::1]:0", "localhost:9000" → host, port. `flag` names the option in the
// error ("--listen").
Status ParseHostPort(std::string_view flag, const std::string& text, std::string* host,
                     uint16_t* port);

// The pipeline's options as the settings give them: key prefix, limits (--max-prompt-chars),
// the default job size and the model label; no ledger or metrics (BuildRuntime adds its own).
// Every command that checks a request takes its limits from here.
PipelineOptions PipelineOptionsFrom(const CommonSettings& settings);

// Sets the global log level ("debug", "info", "warn", "error") and format ("text", "json"; empty
// is text): logs go to stderr (core/log_writer.h). InvalidArgument for either unknown.
Status ConfigureLogging(const std::string& level, const std::string& format = "");

// The adapters of one process, built from settings, and the pipeline over them.
struct Runtime {
  // What the specs of the parts built say (specs.h): decisions that depend on the kind of a
  // backend ask these, never the spec strings.
  QueueSpec queue_spec;    // when the queue part was asked for
  LedgerSpec ledger_spec;  // when the ledger part was asked for; kNone otherwise
  std::unique_ptr<ImageModel> model;
  std::unique_ptr<ObjectStore> store;
  std::unique_ptr<JobQueue> queue;
  std::unique_ptr<ObjectStore> ledger_store;  // a store of the ledger's own (--jobs file:/s3:)
  std::unique_ptr<JobLedger> ledger;
  std::unique_ptr<SpendLedger> spend;  // beside the ledger; null without one
  std::vector<Budget> budgets;         // the global budgets (--budget, the configuration)
  MetricsRegistry metrics;
  // Told of every state the pipeline's jobs take (pipeline->observer): webhooks, event streams.
  JobObservers observers;
  std::unique_ptr<Pipeline> pipeline;  // set when model and store are
};

// Builds the parts `parts` names. A bad spec is an InvalidArgument naming accepted schemes.
Result<std::unique_ptr<Runtime>> BuildRuntime(const CommonSettings& settings, unsigned parts);

// True when the queue and the job ledger of `runtime` are both local SQLite files: the job
// routes then take microseconds and no fsync on the request path, and may run on the event
// loop. Records in a store (files with fsync, S3) or an SQS queue are remote calls.
bool LocalJobBackends(const Runtime& runtime);

}  // namespace pictor::app

#endif  // PICTOR_APP_SETTINGS_H_
