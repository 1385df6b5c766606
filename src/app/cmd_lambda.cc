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
#include <string>

#include "app/commands.h"
#include "app/key_check.h"
#include "app/settings.h"
#include "http/api.h"
#include "lambda/api_gateway.h"
#include "lambda/api_gateway_function.h"
#include "lambda/invocation_metrics.h"
#include "lambda/json_log.h"
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
  std::string auth = "none";  // keys | none
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
  // `authenticator`: null without API keys; borrowed, outlives the function.
  LambdaFunction(Runtime& rt, const LambdaCommandOptions& o, Authenticator* authenticator)
      : timed_model_(lambda::NewTimedModel(*rt.model, latencies_)),
        timed_store_(lambda::NewTimedStore(*rt.store, latencies_)),
        pipeline_(*timed_model_, *timed_store_, rt.pipeline->options()),
        api_(pipeline_, rt.queue.get(), rt.ledger.get(), rt.metrics,
             ApiOptionsForLambda(authenticator)),
        sqs_(pipeline_, SqsOptions(rt, o)) {}

  Result<std::string> Handle(const lambda::Invocation& inv) {
    lambda::SetLogRequestId(inv.request_id);
    auto event = nlohmann::json::parse(inv.event, nullptr, false);
    lambda::EventKind kind = lambda::ClassifyEvent(event);
    lambda::InvocationCounts counts;
    Result<std::string> answer = Status::InvalidArgument(
        "unrecognised event: neither an API Gateway proxy event nor an SQS batch");
    if (kind == lambda::EventKind::kSqs) {
      counts.handler = "sqs";
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
      auto answered = lambda::AnswerApiGatewayEvent(api_, event, kind);
      if (answered.ok()) {
        counts.jobs = answered->generation ? 1 : 0;
        counts.failures = answered->generation && answered->failed ? 1 : 0;
        answer = answered->response.dump();
      } else {
        answer = answered.status();
      }
    }
    if (!counts.handler.empty()) {
      std::string line = lambda::EmfLine(counts, latencies_.Drain(), NowMs());
      std::printf("%s\n", line.c_str());
      std::fflush(stdout);
    }
    if (!answer.ok()) spdlog::error("invocation failed: {}", answer.status().message());
    lambda::SetLogRequestId("");
    return answer;
  }

 private:
  static http::ApiOptions ApiOptionsForLambda(Authenticator* authenticator) {
    http::ApiOptions ao;
    ao.local_job_backends = false;
    ao.access.authenticator = authenticator;
    return ao;
  }

  lambda::LatencyLog latencies_;
  std::unique_ptr<ImageModel> timed_model_;
  std::unique_ptr<ObjectStore> timed_store_;
  Pipeline pipeline_;
  http::Api api_;
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
  lambda::UseJsonLogging(o.common.log_level);
  auto http_client = net::NewHttpClient(2);
  lambda::RuntimeApi api(endpoint, *http_client);

  // The ledger too without a queue: the SQS-fed worker function updates the job records that
  // the API function's GET /jobs/{id} reads (PICTOR_JOBS=store).
  unsigned parts = kModelPart | kStorePart | kLedgerPart | (with_queue ? kQueuePart : 0u);
  auto rt = BuildRuntime(o.common, parts);
  if (!rt.ok()) {
    spdlog::error("init failed: {}", rt.status().message());
    Status posted = api.PostInitError(lambda::ErrorTypeFor(rt.status()), rt.status().message());
    if (!posted.ok()) spdlog::error("reporting the init failure: {}", posted.message());
    return kExitFailure;
  }
  // Keys as `serve --auth keys` reads them; no refresher thread, since Lambda freezes threads
  // between invocations: the first request after 2 s re-reads them.
  std::unique_ptr<KeyCheck> keys;
  if (o.auth == "keys") {
    auto started = StartKeyCheck(**rt, o.common, /*background_refresh=*/false);
    if (!started.ok()) {
      spdlog::error("init failed: {}", started.status().message());
      Status posted =
          api.PostInitError(lambda::ErrorTypeFor(started.status()), started.status().message());
      if (!posted.ok()) spdlog::error("reporting the init failure: {}", posted.message());
      return kExitFailure;
    }
    keys = std::move(started).value();
  }
  LambdaFunction function(**rt, o, keys ? keys->authenticator.get() : nullptr);
  spdlog::info("lambda runtime ready: model {}, store {}, queue {}, concurrency {}", o.common.model,
               o.common.store, with_queue ? o.common.queue : "none", o.concurrency);
  Status ended = lambda::RunLoop(
      api, [&function](const lambda::Invocation& inv) { return function.Handle(inv); });
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
  cmd->add_option("--auth", o->auth,
                  "keys: the API function needs 'Authorization: Bearer <key>' on every route but "
                  "/healthz and /readyz (keys from 'pictor keys create'); none (default)")
      ->envname("PICTOR_AUTH")
      ->check(CLI::IsMember({"keys", "none"}));
  AddCommonOptions(*cmd, o->common, kModelPart | kStorePart | kQueuePart | kLedgerPart);
  return {cmd, [o] { return RunLambda(*o); }};
}

}  // namespace pictor::app
