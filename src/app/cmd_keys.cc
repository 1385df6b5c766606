// `pictor keys create|list|revoke|rotate`: the API keys of a deployment, in the key store that
// `serve`, `worker` and the Lambda functions read (found from the same --queue, --jobs, --store
// and --key-prefix flags and environment: app/specs.h KeyStoreSpecFor).
//
// A key is printed once, alone on stdout (so `KEY=$(pictor keys create --name ci)` works);
// everything else goes to stderr. `list` prints records, never a key or its hash. Exit 0 on
// success, 2 for bad input (nothing is written), 1 when the store fails or refuses (a name
// already taken, no such key).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "app/commands.h"
#include "app/registry.h"
#include "app/settings.h"
#include "core/api_key.h"
#include "core/ids.h"
#include "core/number_text.h"
#include "core/quota.h"

namespace pictor::app {
namespace {

// The longest grace a rotated key may keep: long enough for any redeployment, short enough that
// a forgotten old key does not live on for good.
constexpr int64_t kMaxGraceMs = int64_t{30} * 86400 * 1000;

struct KeysOptions {
  CommonSettings common;  // store, key_prefix, queue, jobs, log_level only
  std::string name;
  std::string scope = "generate,read";
  std::string rate = "unlimited";
  std::vector<std::string> budgets;
  std::string grace = "0s";
};

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int Fail(std::string_view command, const Status& s) {
  std::fprintf(stderr, "pictor keys %.*s: %s\n", static_cast<int>(command.size()), command.data(),
               s.message().c_str());
  return s.IsInvalidArgument() ? kExitUsage : kExitFailure;
}

// "0", "90s", "15m", "15min", "2h", "7d", "7day" → milliseconds, at most 30 days.
Result<int64_t> ParseGraceMs(std::string_view text) {
  const Status bad = Status::InvalidArgument(
      "--grace '" + std::string(text.substr(0, 40)) +
      "' is not valid: expected 0 or COUNT followed by s, m, h or d (such as 90s, 15m, 1h, 7d), at "
      "most 30d");
  if (text == "0") return 0;
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits > 9) return bad;
  auto count = ParseIntegerSetting("--grace", text.substr(0, digits), 0, 999999999);
  if (!count.ok()) return bad;
  const std::string_view unit = text.substr(digits);
  int64_t unit_ms = 0;
  if (unit == "s" || unit == "sec") unit_ms = 1000;
  if (unit == "m" || unit == "min") unit_ms = 60 * 1000;
  if (unit == "h" || unit == "hour") unit_ms = 3600 * 1000;
  if (unit == "d" || unit == "day") unit_ms = 86400 * 1000;
  if (unit_ms == 0 || *count > kMaxGraceMs / unit_ms) return bad;
  return *count * unit_ms;
}

// The key store of the settings, and what it needs kept alive.
struct OpenedKeys {
  std::unique_ptr<ObjectStore> image_store;  // kImageStore only; outlives `parts`
  KeyStoreParts parts;
  std::string location;  // for people: "sqlite:PATH", "file:DIR under keys/", ...
};

// Where the keys are, as a sentence fragment; and for local storage, the path that must exist.
struct Whereabouts {
  std::string location;
  std::string local_path;  // "" when the store is remote (S3)
};

Whereabouts Describe(const KeyStoreSpec& spec, const StoreSpec& image_store,
                     const CommonSettings& s) {
  auto store_text = [](const StoreSpec& store) {
    return store.kind == StoreSpec::Kind::kFile
               ? "file:" + store.dir
               : "s3://" + store.bucket + (store.prefix.empty() ? "" : "/" + store.prefix);
  };
  switch (spec.kind) {
    case KeyStoreSpec::Kind::kSqlite:
      return {"sqlite:" + spec.path, spec.path};
    case KeyStoreSpec::Kind::kOwnStore:
      return {store_text(spec.store) + " under keys/",
              spec.store.kind == StoreSpec::Kind::kFile ? spec.store.dir : ""};
    case KeyStoreSpec::Kind::kImageStore:
      break;
  }
  const std::string prefix = s.key_prefix.empty() ? "" : s.key_prefix + "/";
  return {store_text(image_store) + " under " + prefix + "keys/",
          image_store.kind == StoreSpec::Kind::kFile ? image_store.dir : ""};
}

// `must_exist`: refuse (NotFound) instead of creating local storage that is not there yet, for
// the commands that only read or change existing keys.
// `s` has had ApplyEnvironment.
Result<OpenedKeys> OpenKeys(const CommonSettings& s, bool must_exist) {
  auto queue = ParseQueueSpec(s.queue);
  if (!queue.ok()) return queue.status().WithContext("queue " + s.queue);
  auto ledger = ParseLedgerSpec(s.jobs, &*queue);
  if (!ledger.ok()) return ledger.status().WithContext("job ledger");
  const KeyStoreSpec spec = KeyStoreSpecFor(*ledger);
  StoreSpec image_spec;
  if (spec.kind == KeyStoreSpec::Kind::kImageStore) {
    auto parsed = ParseStoreSpec(s.store);
    if (!parsed.ok()) return parsed.status().WithContext("store " + s.store);
    image_spec = std::move(parsed).value();
  }
  OpenedKeys out;
  const Whereabouts where = Describe(spec, image_spec, s);
  out.location = where.location;
  if (must_exist && !where.local_path.empty()) {
    std::error_code ec;
    if (!std::filesystem::exists(where.local_path, ec)) {
      return Status::NotFound(where.local_path + " does not exist: no key has been created in " +
                              where.location);
    }
  }
  if (spec.kind == KeyStoreSpec::Kind::kImageStore) {
    auto store = MakeStore(image_spec);
    if (!store.ok()) return store.status().WithContext("store " + s.store);
    out.image_store = std::move(store).value();
  }
  auto parts = BuildKeyStore(spec, LedgerContext{out.image_store.get(), s.key_prefix});
  if (!parts.ok()) return parts.status().WithContext("key store " + where.location);
  out.parts = std::move(parts).value();
  return out;
}

// Prints the key alone on stdout. False when it could not be written (a closed pipe, a full
// disk): the caller has stored its hash already and must say so, since nobody has seen the key.
bool PrintKey(const std::string& key) {
  const bool printed = std::printf("%s\n", key.c_str()) >= 0;
  return std::fflush(stdout) == 0 && printed && std::ferror(stdout) == 0;
}

// The store holds a key that was never shown: say how to get a usable one.
int Unshown(std::string_view command, const std::string& name) {
  std::fprintf(stderr,
               "pictor keys %.*s: key '%s' is stored but could not be written to stdout, so "
               "nobody has it; run `pictor keys rotate --name %s` to get a new one\n",
               static_cast<int>(command.size()), command.data(), name.c_str(), name.c_str());
  return kExitFailure;
}

// A write that failed with a retryable status (a lost reply, a timeout) may have been stored all
// the same, leaving a key nobody has seen in the store: says how to find out and recover.
int FailedWrite(std::string_view command, const Status& s, const std::string& name) {
  if (!s.IsRetryable()) return Fail(command, s);
  const std::string recovery =
      command == "create"
          ? "if `pictor keys list` shows key '" + name + "', it was created all the same: run "
          : "the key may have been replaced all the same, and the previous one with it: run ";
  std::fprintf(stderr,
               "pictor keys %.*s: %s\n%s`pictor keys rotate --name %s` to get a key that works\n",
               static_cast<int>(command.size()), command.data(), s.message().c_str(),
               recovery.c_str(), name.c_str());
  return kExitFailure;
}

std::string BudgetsText(const ApiKeyRecord& r) {
  return r.budgets.empty() ? "none" : FormatBudgetList(r.budgets);
}

int RunCreate(const KeysOptions& o) {
  ApiKeyRecord record;
  record.name = o.name;
  // Everything is checked before the store is opened: bad input writes nothing.
  if (Status s = ValidateKeyName(o.name); !s.ok()) return Fail("create", s);
  auto scopes = ParseScopes(o.scope);
  if (!scopes.ok()) return Fail("create", scopes.status());
  record.scopes = *scopes;
  auto rate = ParseRateLimit(o.rate);
  if (!rate.ok()) return Fail("create", rate.status());
  record.rate = *rate;
  for (const std::string& text : o.budgets) {
    auto budget = ParseBudget(text);
    if (!budget.ok()) return Fail("create", budget.status());
    record.budgets.push_back(*budget);
  }
  auto key = NewApiKey();
  if (!key.ok()) return Fail("create", key.status());
  record.hash = HashApiKey(*key);
  record.created_ms = NowMs();
  auto keys = OpenKeys(o.common, false);
  if (!keys.ok()) return Fail("create", keys.status());
  if (Status s = keys->parts.keys->Create(record); !s.ok()) {
    return FailedWrite("create", s, record.name);
  }
  if (!PrintKey(*key)) return Unshown("create", record.name);
  std::fprintf(stderr,
               "created key '%s' (scopes %s; rate %s; budgets %s) in %s.\n"
               "The key above is shown only now: Pictor keeps its SHA-256, not the key.\n",
               record.name.c_str(), FormatScopes(record.scopes).c_str(),
               FormatRateLimit(record.rate).c_str(), BudgetsText(record).c_str(),
               keys->location.c_str());
  return kExitOk;
}

std::string StateText(const ApiKeyRecord& r, int64_t now_ms) {
  if (r.revoked_ms != 0) return "revoked " + FormatIso8601(r.revoked_ms);
  if (!r.previous_hash.empty() && r.previous_expires_ms > now_ms) {
    return "active (previous key until " + FormatIso8601(r.previous_expires_ms) + ")";
  }
  return "active";
}

int RunList(const KeysOptions& o) {
  auto keys = OpenKeys(o.common, true);
  if (keys.status().IsNotFound()) {
    std::fprintf(stderr, "pictor keys list: no keys: %s\n", keys.status().message().c_str());
    return kExitOk;
  }
  if (!keys.ok()) return Fail("list", keys.status());
  auto records = keys->parts.keys->List();
  if (!records.ok()) return Fail("list", records.status());
  if (records->empty()) {
    std::fprintf(stderr, "pictor keys list: no keys in %s\n", keys->location.c_str());
    return kExitOk;
  }
  const int64_t now = NowMs();
  std::vector<std::vector<std::string>> rows = {
      {"NAME", "SCOPES", "RATE", "BUDGETS", "CREATED", "STATE"}};
  for (const ApiKeyRecord& r : *records) {
    rows.push_back({r.name, FormatScopes(r.scopes), FormatRateLimit(r.rate), BudgetsText(r),
                    FormatIso8601(r.created_ms), StateText(r, now)});
  }
  std::vector<size_t> widths(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    std::printf("%s\n", line.c_str());
  }
  return kExitOk;
}

// The record of --name, for revoke and rotate.
Result<ApiKeyRecord> FindKey(const OpenedKeys& keys, const std::string& name) {
  auto record = keys.parts.keys->Get(name);
  if (record.status().IsNotFound()) {
    return Status::NotFound("no key named '" + name + "' in " + keys.location);
  }
  return record;
}

int RunRevoke(const KeysOptions& o) {
  if (Status s = ValidateKeyName(o.name); !s.ok()) return Fail("revoke", s);
  auto keys = OpenKeys(o.common, true);
  if (!keys.ok()) return Fail("revoke", keys.status());
  auto record = FindKey(*keys, o.name);
  if (!record.ok()) return Fail("revoke", record.status());
  if (record->revoked_ms != 0) {
    std::fprintf(stderr, "key '%s' was already revoked at %s\n", o.name.c_str(),
                 FormatIso8601(record->revoked_ms).c_str());
    return kExitOk;
  }
  record->revoked_ms = NowMs();
  // A revoked key's previous key (from a rotation) goes with it.
  record->previous_hash.clear();
  record->previous_expires_ms = 0;
  if (Status s = keys->parts.keys->Update(*record); !s.ok()) return Fail("revoke", s);
  std::fprintf(stderr,
               "revoked key '%s' in %s; servers refuse it once they next read the keys (within "
               "seconds)\n",
               o.name.c_str(), keys->location.c_str());
  return kExitOk;
}

int RunRotate(const KeysOptions& o) {
  if (Status s = ValidateKeyName(o.name); !s.ok()) return Fail("rotate", s);
  auto grace = ParseGraceMs(o.grace);
  if (!grace.ok()) return Fail("rotate", grace.status());
  auto keys = OpenKeys(o.common, true);
  if (!keys.ok()) return Fail("rotate", keys.status());
  auto record = FindKey(*keys, o.name);
  if (!record.ok()) return Fail("rotate", record.status());
  if (record->revoked_ms != 0) {
    return Fail("rotate", Status::FailedPrecondition("key '" + o.name +
                                                     "' is revoked; create a key of another name"));
  }
  auto key = NewApiKey();
  if (!key.ok()) return Fail("rotate", key.status());
  const int64_t now = NowMs();
  // One previous key at most: rotating again within the grace ends the older one's at once.
  record->previous_hash = *grace > 0 ? record->hash : "";
  record->previous_expires_ms = *grace > 0 ? now + *grace : 0;
  record->hash = HashApiKey(*key);
  if (Status s = keys->parts.keys->Update(*record); !s.ok()) {
    return FailedWrite("rotate", s, o.name);
  }
  if (!PrintKey(*key)) return Unshown("rotate", o.name);
  const std::string previous =
      *grace > 0 ? "the previous key stays valid until " + FormatIso8601(now + *grace)
                 : "the previous key is refused once servers next read the keys (within seconds)";
  std::fprintf(stderr,
               "rotated key '%s' in %s; %s.\n"
               "The key above is shown only now: Pictor keeps its SHA-256, not the key.\n",
               o.name.c_str(), keys->location.c_str(), previous.c_str());
  return kExitOk;
}

// The flags that find the key store, as `serve` names them (same environment fallbacks).
void AddStoreOptions(CLI::App& cmd, CommonSettings& s) {
  cmd.add_option("--store", s.store,
                 "Image store, where keys are kept when the job ledger is 'store' or none: "
                 "file:DIR or s3://BUCKET[/PREFIX] (env PICTOR_STORE or BUCKET_NAME; default "
                 "file:./var/images)");
  cmd.add_option("--key-prefix", s.key_prefix,
                 "Prefix of every object key (env KEY_PREFIX or CANDIDATE_PREFIX)");
  cmd.add_option("--queue", s.queue,
                 "Job queue: sqlite:PATH or an SQS queue URL (env PICTOR_QUEUE or SQS_QUEUE_URL; "
                 "default sqlite:./var/queue.db): keys sit beside its job ledger");
  cmd.add_option(
      "--jobs", s.jobs,
      "Job ledger: sqlite:PATH (keys in its file), store, file:DIR, s3://BUCKET[/PREFIX] "
      "(keys under keys/) or none (env PICTOR_JOBS; default: beside a SQLite queue)");
  cmd.add_option("--log-level", s.log_level, "debug, info, warn or error (env PICTOR_LOG_LEVEL)");
}

CLI::Option* AddName(CLI::App& cmd, KeysOptions& o) {
  return cmd
      .add_option("--name", o.name,
                  "The key's name: 1-64 of a-z, 0-9, '.', '_', '-' (shown in logs, metrics and "
                  "job records)")
      ->required();
}

}  // namespace

Subcommand AddKeysCommand(CLI::App& app) {
  auto o = std::make_shared<KeysOptions>();
  CLI::App* cmd = app.add_subcommand("keys", "Create, list, revoke and rotate API keys");
  cmd->require_subcommand(1);

  CLI::App* create =
      cmd->add_subcommand("create", "Create a key; prints it (once) on stdout, details on stderr");
  AddName(*create, *o);
  create->add_option("--scope", o->scope,
                     "Comma-separated scopes: generate, read, admin (default generate,read)");
  create->add_option("--rate", o->rate,
                     "Requests creating images: COUNT/UNIT (s, min, h, day) such as 60/min, or "
                     "unlimited (default)");
  create->add_option("--budget", o->budgets,
                     "AMOUNTusd/day or AMOUNTusd/month, such as 5usd/day; repeatable, each must "
                     "hold (default: only the global budgets)");
  AddStoreOptions(*create, o->common);

  CLI::App* list = cmd->add_subcommand("list", "List the keys (never a key or its hash)");
  AddStoreOptions(*list, o->common);

  CLI::App* revoke = cmd->add_subcommand("revoke", "Revoke a key; its name is not reused");
  AddName(*revoke, *o);
  AddStoreOptions(*revoke, o->common);

  CLI::App* rotate = cmd->add_subcommand(
      "rotate", "Replace a key's secret; prints the new key (once) on stdout, details on stderr");
  AddName(*rotate, *o);
  rotate->add_option("--grace", o->grace,
                     "How long the previous key stays valid: 0 (default) or such as 90s, 15m, "
                     "1h, 7d (at most 30d)");
  AddStoreOptions(*rotate, o->common);

  return {cmd, [o, create, list, revoke, rotate]() -> int {
            ApplyEnvironment(o->common);
            if (Status s = ConfigureLogging(o->common.log_level); !s.ok()) {
              std::fprintf(stderr, "pictor keys: %s\n", s.message().c_str());
              return kExitUsage;
            }
            if (create->parsed()) return RunCreate(*o);
            if (list->parsed()) return RunList(*o);
            if (revoke->parsed()) return RunRevoke(*o);
            if (rotate->parsed()) return RunRotate(*o);
            return kExitUsage;
          }};
}

}  // namespace pictor::app
