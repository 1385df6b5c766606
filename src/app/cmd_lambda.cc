// `pictor lambda`: the AWS Lambda custom runtime (provided.al2023). One binary serves both
// functions: API Gateway events go through the same Api as `pictor serve`, SQS events through
// RunJob with a partial batch response. Settings come from the same environment variables as
// the other subcommands.
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <csignal>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "app/commands.h"
#include "app/key_check.h"
#include "app/model_catalog.h"
#include "app/settings.h"
#include "app/webhooks.h"
#include "core/log_writer.h"
#include "http/api.h"
#include "lambda/api_gateway.h"
#include "lambda/api_gateway_function.h"
#include "lambda/invocation_metrics.h"
#include "lambda/runtime_api.h"
#include "lambda/runtime_loop.h"
#include "lambda/sqs_batch.h"
#include "net/http_client.h"

namespace pictor::app {
namespace {

struct LambdaCommandOptions {
  CommonSettings common;
  int concurrency = 10;
  int deadline_margin_ms = 1000;
  std::vector<std::string> model_aliases;  // NAME=SPEC; none given: PICTOR_MODEL_ALIASES
  std::string auth = "none";               // keys | none
  std::string metrics_namespace{lambda::kDefaultMetricsNamespace};
  WebhookSettings webhooks;
};

// The function's own queue (QUEUE_URL, the event source) takes the records deferred for faults
// of the system (see lambda/sqs_batch.h).
lambda::SqsBatchOptions SqsOptions(Runtime& rt, const LambdaCommandOptions& o) {
  lambda::SqsBatchOptions options;
  options.concurrency = o.concurrency;
  options.safety_margin = std::chrono::milliseconds(o.deadline_margin_ms);
  options.max_attempts = o.common.max_receive_count;
  options.queue = rt.queue.get();
  return options;
}

// Everything one invocation needs, built once at init and kept warm between invocations.
class LambdaFunction {
 public:
  // `webhooks` is borrowed and outlives the function.
  LambdaFunction(Runtime& rt, const LambdaCommandOptions& o, Webhooks& webhooks)
      : webhooks_(webhooks),
        metrics_namespace_(o.metrics_namespace),
        timed_model_(lambda::NewTimedModel(*rt.model, invocation_log_)),
        timed_store_(lambda::NewTimedStore(*rt.store, invocation_log_)),
        pipeline_(*timed_model_, *timed_store_, rt.pipeline->options()),
        sqs_(pipeline_, SqsOptions(rt, o)) {}

  // The Api, over the catalog of this function's model and the operator's aliases (the
  // catalog borrows the timed pipeline, so it is built once that exists). `authenticator`: null
  // without API keys; borrowed, outlives the function.
  Status StartApi(Runtime& rt, const LambdaCommandOptions& o,
                  const std::vector<ModelAlias>& aliases, Authenticator* authenticator) {
    auto models = BuildModelCatalog(pipeline_, o.common.model, aliases);
    if (!models.ok()) return models.status();
    models_ = std::move(models).value();
    http::ApiOptions ao = ApiOptionsForLambda(authenticator, rt.spend.get(), rt.budgets);
    ao.webhooks_enabled = webhooks_.enabled();
    ao.allow_private_webhooks = webhooks_.allow_private();
    ao.models = models_.get();
    api_.emplace(pipeline_, rt.queue.get(), rt.ledger.get(), rt.metrics, ao);
    return Status::Ok();
  }

  Result<std::string> Handle(const lambda::Invocation& inv) {
    SetProcessRequestId(inv.request_id);
    auto event = nlohmann::json::parse(inv.event, nullptr, false);
    lambda::EventKind kind = lambda::ClassifyEvent(event);
    lambda::InvocationCounts counts;
    Result<std::string> answer = Status::InvalidArgument(
        "unrecognised event: neither an API Gateway proxy event nor an SQS batch");
    if (kind == lambda::EventKind::kSqs) {
      counts.handler = "sqs";
      // Webhooks earlier invocations could not deliver: nothing else runs while the function is
      // frozen, so each SQS invocation takes up those due.
      webhooks_.DeliverDue();
      auto report = sqs_.Handle(event, inv.deadline_ms);
      if (report.ok()) {
        counts.jobs = report->records;
        counts.failures = report->failed;
        answer = std::move(report->response);
      } else {
        answer = report.status();
      }
    } else if (kind != lambda::EventKind::kUnknown) {
      counts.handler = "api";
      auto answered = lambda::AnswerApiGatewayEvent(*api_, event, kind);
      if (answered.ok()) {
        counts.jobs = answered->generation ? 1 : 0;
        counts.failures = answered->generation && answered->failed ? 1 : 0;
        answer = answered->response.dump();
      } else {
        answer = answered.status();
      }
    }
    if (!counts.handler.empty()) {
      std::string line =
          lambda::EmfLine(counts, invocation_log_.Drain(), NowMs(), metrics_namespace_);
      std::printf("%s\n", line.c_str());
      std::fflush(stdout);
    }
    if (!answer.ok()) spdlog::error("invocation failed: {}", answer.status().message());
    SetProcessRequestId("");
    return answer;
  }

 private:
  static http::ApiOptions ApiOptionsForLambda(Authenticator* authenticator, SpendLedger* spend,
                                              const std::vector<Budget>& budgets) {
    http::ApiOptions ao;
    ao.local_job_backends = false;
    ao.access.authenticator = authenticator;
    ao.access.spend = spend;
    ao.access.global_budgets = budgets;
    return ao;
  }

  Webhooks& webhooks_;
  std::string metrics_namespace_;
  lambda::InvocationLog invocation_log_;
  std::unique_ptr<ImageModel> timed_model_;
  std::unique_ptr<ObjectStore> timed_store_;
  Pipeline pipeline_;
  std::unique_ptr<http::ModelCatalog> models_;
  std::optional<http::Api> api_;  // set by StartApi
  lambda::SqsBatchHandler sqs_;
};

int RunLambda(LambdaCommandOptions& o) {
  const char* endpoint = std::getenv("AWS_LAMBDA_RUNTIME_API");
  if (endpoint == nullptr || *endpoint == '\0') {
    std::fprintf(stderr, "pictor lambda: AWS_LAMBDA_RUNTIME_API is not set (run inside Lambda)\n");
    return kExitUsage;
  }
  // Lambda stops a runtime with SIGKILL; SIGTERM and SIGINT end it too (main blocked them for
  // the subcommands that wait for them), before any thread inherits the mask.
  sigset_t shutdown;
  sigemptyset(&shutdown);
  sigaddset(&shutdown, SIGINT);
  sigaddset(&shutdown, SIGTERM);
  pthread_sigmask(SIG_UNBLOCK, &shutdown, nullptr);
  // The job routes (POST /jobs, GET /jobs/{id}) exist only where a queue is configured.
  bool with_queue = !o.common.queue.empty() || !FirstEnv({"PICTOR_QUEUE", "SQS_QUEUE_URL"}).empty();
  ApplyEnvironment(o.common);
  // CloudWatch Logs reads JSON lines; an unknown level logs at info rather than not at all.
  if (!InstallLogger(o.common.log_level, LogFormat::kJson).ok()) {
    (void)InstallLogger("info", LogFormat::kJson);
  }
  auto http_client = net::NewHttpClient(2);
  lambda::RuntimeApi api(endpoint, *http_client);

  // The ledger too without a queue: the SQS-fed worker function updates the job records that
  // the API function's GET /jobs/{id} reads (PICTOR_JOBS=store).
  unsigned parts = kModelPart | kStorePart | kLedgerPart | (with_queue ? kQueuePart : 0u);
  auto rt = BuildRuntime(o.common, parts);
  Status init = rt.status();
  std::vector<ModelAlias> aliases;
  if (init.ok()) {
    auto texts = AliasTexts(o.model_aliases, o.common.config_file);
    auto parsed =
        texts.ok() ? ParseModelAliases(*texts) : Result<std::vector<ModelAlias>>(texts.status());
    init = parsed.status();
    if (parsed.ok()) aliases = std::move(parsed).value();
  }
  // Keys as `serve --auth keys` reads them; no refresher thread, since Lambda freezes threads
  // between invocations: the first request after 2 s re-reads them.
  std::unique_ptr<KeyCheck> keys;
  if (init.ok() && o.auth == "keys") {
    auto started = StartKeyCheck(**rt, o.common, /*background_refresh=*/false);
    init = started.status();
    if (started.ok()) {
      keys = std::move(started).value();
      (*rt)->pipeline->owner_budgets = keys->budgets.get();  // copied by the function's pipeline
    }
  }
  // Each webhook is attempted once at once (a frozen function has no threads running); what
  // fails waits in the outbox for a later invocation or any serve or worker process.
  std::unique_ptr<Webhooks> webhooks;
  if (init.ok()) {
    auto started =
        StartWebhooks(o.webhooks, **rt, FirstEnv({"PICTOR_PUBLIC_URL"}), Webhooks::Mode::kInline);
    init = started.status();
    if (started.ok()) webhooks = std::move(started).value();
  }
  std::unique_ptr<LambdaFunction> function;
  if (init.ok()) {
    function = std::make_unique<LambdaFunction>(**rt, o, *webhooks);
    init = function->StartApi(**rt, o, aliases, keys ? keys->authenticator.get() : nullptr);
  }
  if (!init.ok()) {
    spdlog::error("init failed: {}", init.message());
    Status posted = api.PostInitError(lambda::ErrorTypeFor(init), init.message());
    if (!posted.ok()) spdlog::error("reporting the init failure: {}", posted.message());
    return kExitFailure;
  }
  spdlog::info("lambda runtime ready: model {}, store {}, queue {}, concurrency {}", o.common.model,
               o.common.store, with_queue ? o.common.queue : "none", o.concurrency);
  Status ended = lambda::RunLoop(
      api, [&function](const lambda::Invocation& inv) { return function->Handle(inv); });
  spdlog::error("runtime API unreachable: {}", ended.message());
  return kExitFailure;
}

}  // namespace

Subcommand AddLambdaCommand(CLI::App& app) {
  auto o = std::make_shared<LambdaCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "lambda", "Run as an AWS Lambda custom runtime (API Gateway and SQS events)");
  cmd->add_option("--concurrency", o->concurrency, "SQS records processed at once (default 10)")
      ->envname("PICTOR_LAMBDA_CONCURRENCY")
      ->transform(IntegerIn(1, 256));
  cmd->add_option("--deadline-margin-ms", o->deadline_margin_ms,
                  "Answer this long before the invocation deadline (default 1000)")
      ->envname("PICTOR_LAMBDA_DEADLINE_MARGIN_MS")
      ->transform(IntegerIn(0, 60000));
  cmd->add_option("--model-alias", o->model_aliases,
                  "NAME=SPEC: a model clients of /v1/images/generations may name (repeatable; "
                  "default PICTOR_MODEL_ALIASES, comma-separated)");
  cmd->add_option("--auth", o->auth,
                  "keys: the API function needs 'Authorization: Bearer <key>' on every route but "
                  "/healthz and /readyz (keys from 'pictor keys create'); none (default)")
      ->envname("PICTOR_AUTH")
      ->check(CLI::IsMember({"keys", "none"}));
  cmd->add_option("--metrics-namespace", o->metrics_namespace,
                  "CloudWatch namespace of the metrics written as EMF log lines (default Pictor; "
                  "one per deployment sharing an account, e.g. Pictor/pictor-prod)")
      ->envname("PICTOR_METRICS_NAMESPACE")
      ->check([](const std::string& name) {
        Status s = lambda::CheckMetricsNamespace(name);
        return s.ok() ? std::string() : s.message();
      });
  AddWebhookOptions(*cmd, o->webhooks);
  AddCommonOptions(*cmd, o->common, kModelPart | kStorePart | kQueuePart | kLedgerPart);
  return {cmd, [o] { return RunLambda(*o); }};
}

}  // namespace pictor::app
