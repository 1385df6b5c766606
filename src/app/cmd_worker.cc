// `pictor worker`: a queue consumer only; many may run against one queue.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>

#include "app/commands.h"
#include "app/settings.h"
#include "app/signals.h"
#include "core/worker.h"

namespace pictor::app {
namespace {

struct WorkerCommandOptions {
  CommonSettings common;
  int concurrency = 4;
  int visibility_timeout = 60;
};

int RunWorker(WorkerCommandOptions& o) {
  ApplyEnvironment(o.common);
  if (Status s = ConfigureLogging(o.common.log_level); !s.ok()) {
    std::fprintf(stderr, "pictor worker: %s\n", s.message().c_str());
    return kExitUsage;
  }
  auto rt = BuildRuntime(o.common, kModelPart | kStorePart | kQueuePart | kLedgerPart);
  if (!rt.ok()) {
    std::fprintf(stderr, "pictor worker: %s\n", rt.status().message().c_str());
    return rt.status().IsInvalidArgument() ? kExitUsage : kExitFailure;
  }
  Runtime& r = **rt;
  WorkerOptions wo;
  wo.concurrency = o.concurrency;
  wo.visibility_timeout = std::chrono::seconds(o.visibility_timeout);
  wo.max_attempts = o.common.max_receive_count;
  Worker worker(*r.queue, *r.pipeline, wo);
  worker.Start();
  spdlog::info("worker started: queue {}, store {}, model {}, concurrency {}", o.common.queue,
               o.common.store, o.common.model, o.concurrency);
  int sig = WaitForShutdownSignal();
  spdlog::info("signal {} received: finishing jobs in flight", sig);
  worker.RequestStop();
  worker.Join();
  spdlog::info("worker stopped: {} succeeded, {} retried, {} dead-lettered", worker.succeeded(),
               worker.retried(), worker.dead_lettered());
  return kExitOk;
}

}  // namespace

Subcommand AddWorkerCommand(CLI::App& app) {
  auto o = std::make_shared<WorkerCommandOptions>();
  CLI::App* cmd = app.add_subcommand("worker", "Consume the queue: generate and store each job");
  cmd->add_option("--concurrency", o->concurrency, "Jobs in flight at once (default 4)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--visibility-timeout", o->visibility_timeout,
                  "Seconds a received job stays hidden; renewed while it runs (default 60)")
      ->check(CLI::Range(5, 43200));
  AddCommonOptions(*cmd, o->common, kModelPart | kStorePart | kQueuePart | kLedgerPart);
  return {cmd, [o] { return RunWorker(*o); }};
}

}  // namespace pictor::app
