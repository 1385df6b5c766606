#include "app/settings.h"

#include <cstdlib>

#include "app/registry.h"
#include "app/spend_config.h"
#include "core/log_writer.h"

namespace pictor::app {

void AddCommonOptions(CLI::App& command, CommonSettings& s, unsigned parts) {
  if (parts & kModelPart) {
    command.add_option(
        "--model", s.model,
        "Image model: builtin, bedrock:MODEL_ID or openai:BASE_URL (env PICTOR_MODEL)");
    command
        .add_option("--max-prompt-chars", s.max_prompt_chars,
                    "Longest prompt accepted, in characters")
        ->transform(IntegerIn(1, 100000));
  }
  if (parts & kStorePart) {
    command.add_option("--store", s.store,
                       "Where images go: file:DIR or s3://BUCKET[/PREFIX] (env PICTOR_STORE or "
                       "BUCKET_NAME; default file:./var/images)");
    command.add_option("--key-prefix", s.key_prefix,
                       "Prefix of every object key (env KEY_PREFIX or CANDIDATE_PREFIX)");
  }
  if (parts & kQueuePart) {
    command.add_option("--queue", s.queue,
                       "Job queue: sqlite:PATH or an SQS queue URL (env PICTOR_QUEUE or "
                       "SQS_QUEUE_URL; default sqlite:./var/queue.db)");
    command.add_option(
        "--dead-letter-queue", s.dead_letter_queue,
        "SQS queue URL for permanent failures (env PICTOR_DEAD_LETTER_QUEUE; default: "
        "left to the queue's redrive policy)");
    command
        .add_option("--max-receive-count", s.max_receive_count,
                    "Receives before a message is dead-lettered")
        ->transform(IntegerIn(1, 1000));
  }
  if (parts & kLedgerPart) {
    command.add_option("--jobs", s.jobs,
                       "Job ledger: sqlite:PATH, store (in the image store, under "
                       "<prefix>/jobs/), file:DIR, s3://BUCKET[/PREFIX] or none (env "
                       "PICTOR_JOBS; default: beside a SQLite queue, none with SQS)");
  }
  if (parts & kModelPart) {
    command.add_option("--config", s.config_file,
                       "TOML configuration: [prices] per image by model, budgets (env "
                       "PICTOR_CONFIG)");
  }
  if ((parts & kModelPart) && (parts & kLedgerPart)) {
    command.add_option("--budget", s.budgets,
                       "Global spend budget such as 50usd/day or 500usd/month; repeatable "
                       "(default: the configuration's budgets, else env PICTOR_BUDGETS)");
  }
  command.add_option("--log-level", s.log_level,
                     "debug, info, warn or error (env PICTOR_LOG_LEVEL)");
}

void AddLogFormatOption(CLI::App& command, CommonSettings& s) {
  command
      .add_option("--log-format", s.log_format,
                  "text (default) or json: one JSON object per line, with requestId, jobId and "
                  "messageId (env PICTOR_LOG_FORMAT)")
      ->check(CLI::IsMember({"text", "json"}));
}

std::string FirstEnv(std::initializer_list<const char*> names) {
  for (const char* name : names) {
    const char* v = std::getenv(name);
    if (v != nullptr && *v != '\0') return v;
  }
  return "";
}

void ApplyEnvironment(CommonSettings& s) {
  auto fill = [](std::string& value, std::initializer_list<const char*> names,
                 const char* fallback) {
    if (!value.empty()) return;
    value = FirstEnv(names);
    if (value.empty()) value = fallback;
  };
  fill(s.model, {"PICTOR_MODEL"}, kDefaultModel);
  if (s.store.empty()) {
    // The original deployment named only the bucket.
    std::string bucket = FirstEnv({"PICTOR_STORE"}).empty() ? FirstEnv({"BUCKET_NAME"}) : "";
    if (!bucket.empty()) s.store = bucket.rfind("s3://", 0) == 0 ? bucket : "s3://" + bucket;
  }
  fill(s.store, {"PICTOR_STORE"}, kDefaultStore);
  fill(s.dead_letter_queue, {"PICTOR_DEAD_LETTER_QUEUE"}, "");
  fill(s.queue, {"PICTOR_QUEUE", "SQS_QUEUE_URL"}, kDefaultQueue);
  fill(s.jobs, {"PICTOR_JOBS"}, "");
  fill(s.key_prefix, {"KEY_PREFIX", "CANDIDATE_PREFIX"}, "");
  if (s.config_file.empty()) s.config_file = FirstEnv({"PICTOR_CONFIG"});
  fill(s.log_format, {"PICTOR_LOG_FORMAT"}, "text");
  if (std::string level = FirstEnv({"PICTOR_LOG_LEVEL"}); !level.empty() && s.log_level == "info") {
    s.log_level = level;
  }
}

Status ParseSize(const std::string& text, int* width, int* height) {
  size_t x = text.find_first_of("xX");
  auto bad = [&] {
    return Status::InvalidArgument("size '" + text + "' must look like WIDTHxHEIGHT, e.g. 512x512",
                                   "invalid_size");
  };
  if (x == std::string::npos || x == 0 || x + 1 >= text.size() || text.size() > 11) return bad();
  auto number = [](std::string_view s, int* out) {
    if (s.empty() || s.size() > 5) return false;
    int v = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    *out = v;
    return true;
  };
  std::string_view t = text;
  if (!number(t.substr(0, x), width) || !number(t.substr(x + 1), height)) return bad();
  return Status::Ok();
}

Status ParseHostPort(std::string_view flag, const std::string& text, std::string* host,
                     uint16_t* port) {
  const size_t colon = text.rfind(':');
  auto bad = [&] {
    return Status::InvalidArgument(std::string(flag) + " '" + text + "' must look like HOST:PORT");
  };
  if (colon == std::string::npos || colon == 0 || colon + 1 >= text.size()) return bad();
  *host = text.substr(0, colon);
  if (host->size() > 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  unsigned long p = 0;
  for (char c : text.substr(colon + 1)) {
    if (c < '0' || c > '9') return bad();
    p = p * 10 + static_cast<unsigned long>(c - '0');
    if (p > 65535) return bad();
  }
  *port = static_cast<uint16_t>(p);
  return Status::Ok();
}

PipelineOptions PipelineOptionsFrom(const CommonSettings& s) {
  PipelineOptions options;
  options.key_prefix = s.key_prefix;
  options.limits.max_prompt_chars = static_cast<size_t>(s.max_prompt_chars);
  options.model_label = s.model;
  return options;
}

Status ConfigureLogging(const std::string& level, const std::string& format) {
  auto parsed = ParseLogFormat(format.empty() ? "text" : format);
  if (!parsed.ok()) return parsed.status();
  return InstallLogger(level, *parsed);
}

Result<std::unique_ptr<Runtime>> BuildRuntime(const CommonSettings& s, unsigned parts) {
  auto rt = std::make_unique<Runtime>();
  if (parts & kModelPart) {
    auto spend = LoadSpendConfig(s.config_file, s.budgets);
    if (!spend.ok()) return spend.status();
    // Budgets bind only a process that charges: one with a ledger to keep the charges.
    if (parts & kLedgerPart) rt->budgets = spend->budgets;
    auto spec = ParseModelSpec(s.model);
    if (!spec.ok()) return spec.status();
    auto model = MakeModel(*spec, spend->prices);
    if (!model.ok()) return model.status();
    rt->model = std::move(model).value();
  }
  if (parts & kStorePart) {
    auto spec = ParseStoreSpec(s.store);
    if (!spec.ok()) return spec.status().WithContext("store " + s.store);
    auto store = MakeStore(*spec);
    if (!store.ok()) return store.status().WithContext("store " + s.store);
    rt->store = std::move(store).value();
  }
  if (parts & kQueuePart) {
    auto spec = ParseQueueSpec(s.queue);
    if (!spec.ok()) return spec.status().WithContext("queue " + s.queue);
    rt->queue_spec = std::move(spec).value();
    auto queue = MakeQueue(rt->queue_spec, QueueSettings{s.max_receive_count, s.dead_letter_queue});
    if (!queue.ok()) return queue.status().WithContext("queue " + s.queue);
    rt->queue = std::move(queue).value();
  }
  if (parts & kLedgerPart) {
    auto spec = ParseLedgerSpec(s.jobs, (parts & kQueuePart) ? &rt->queue_spec : nullptr);
    if (!spec.ok()) return spec.status().WithContext("job ledger");
    rt->ledger_spec = std::move(spec).value();
    auto ledger = MakeLedger(rt->ledger_spec, LedgerContext{rt->store.get(), s.key_prefix});
    if (!ledger.ok()) return ledger.status().WithContext("job ledger");
    rt->ledger_store = std::move(ledger->own_store);
    rt->ledger = std::move(ledger->ledger);
    auto spend = MakeSpendLedger(rt->ledger_spec, LedgerContext{rt->store.get(), s.key_prefix},
                                 rt->ledger_store.get());
    if (!spend.ok()) return spend.status().WithContext("spend ledger");
    rt->spend = std::move(spend).value();
  }
  if (!rt->budgets.empty() && rt->spend == nullptr) {
    return Status::InvalidArgument(
        "a budget needs a job ledger to keep the charges in (--jobs sqlite:PATH, store, file:DIR "
        "or s3://...; the default with a SQLite queue)");
  }
  if (rt->model && rt->store) {
    PipelineOptions options = PipelineOptionsFrom(s);
    options.ledger = rt->ledger.get();
    options.metrics = &rt->metrics;
    options.spend = rt->spend.get();
    options.budgets = rt->budgets;
    options.observer = &rt->observers;
    rt->pipeline = std::make_unique<Pipeline>(*rt->model, *rt->store, std::move(options));
  }
  return rt;
}

bool LocalJobBackends(const Runtime& rt) {
  return rt.queue != nullptr && rt.queue_spec.kind == QueueSpec::Kind::kSqlite &&
         rt.ledger_spec.kind == LedgerSpec::Kind::kSqlite;
}

}  // namespace pictor::app
