// `pictor worker`: a queue consumer only; many may run against one queue.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>

#include "app/commands.h"
#include "app/queue_metrics.h"
#include "app/settings.h"
#include "app/signals.h"
#include "app/webhooks.h"
#include "aws/ecs_task_protection.h"
#include "core/number_text.h"
#include "core/scale_in_protection.h"
#include "core/worker.h"
#include "http/memory_budget.h"
#include "http/metrics_service.h"
#include "http/server.h"

namespace pictor::app {
namespace {

struct WorkerCommandOptions {
  CommonSettings common;
  int concurrency = 4;
  int visibility_timeout = 60;
  std::string metrics_listen;        // HOST:PORT; empty = no metrics endpoint
  int task_protection_minutes = 15;  // 0 = no ECS task scale-in protection
  WebhookSettings webhooks;
};

// A whole number of milliseconds from the environment variable `name`, or `fallback`.
std::chrono::milliseconds EnvMilliseconds(const char* name, std::chrono::milliseconds fallback) {
  const std::string text = FirstEnv({name});
  if (text.empty()) return fallback;
  auto ms = ParseIntegerSetting(name, text, 1, 86400000);
  if (!ms.ok()) {
    spdlog::warn("{}; using {} ms", ms.status().message(), fallback.count());
    return fallback;
  }
  return std::chrono::milliseconds(*ms);
}

// On ECS (ECS_AGENT_URI set by the agent) the task is protected from scale-in while it has jobs
// in hand; elsewhere, or with --task-protection-minutes 0, nothing is asked.
struct TaskProtection {
  std::unique_ptr<net::HttpClient> http;
  std::unique_ptr<aws::EcsTaskProtection> agent;
  std::unique_ptr<ScaleInProtection> protection;
};

TaskProtection StartTaskProtection(const WorkerCommandOptions& o, MetricsRegistry& metrics) {
  TaskProtection t;
  const std::string agent_uri = FirstEnv({"ECS_AGENT_URI"});
  if (agent_uri.empty() || o.task_protection_minutes == 0) return t;
  ScaleInProtectionOptions po;
  po.minutes = o.task_protection_minutes;
  // For tests: renewals and the idle grace in milliseconds.
  po.renew_every = EnvMilliseconds("PICTOR_TASK_PROTECTION_RENEW_MS", po.renew_every);
  po.idle_grace = EnvMilliseconds("PICTOR_TASK_PROTECTION_IDLE_MS", po.idle_grace);
  t.http = net::NewHttpClient(1);
  t.agent = std::make_unique<aws::EcsTaskProtection>(agent_uri, *t.http);
  t.protection = std::make_unique<ScaleInProtection>(*t.agent, po, &metrics);
  t.protection->Start();
  spdlog::info("task scale-in protection through the ECS agent while jobs run ({} min, renewed)",
               po.minutes);
  return t;
}

int RunWorker(WorkerCommandOptions& o) {
  ApplyEnvironment(o.common);
  if (Status s = ConfigureLogging(o.common.log_level, o.common.log_format); !s.ok()) {
    std::fprintf(stderr, "pictor worker: %s\n", s.message().c_str());
    return kExitUsage;
  }
  http::ServerOptions so;
  so.io_threads = 1;
  so.blocking_threads = 2;
  if (!o.metrics_listen.empty()) {
    if (Status s = ParseHostPort("--metrics-listen", o.metrics_listen, &so.host, &so.port);
        !s.ok()) {
      std::fprintf(stderr, "pictor worker: %s\n", s.message().c_str());
      return kExitUsage;
    }
  }
  auto rt = BuildRuntime(o.common, kModelPart | kStorePart | kQueuePart | kLedgerPart);
  if (!rt.ok()) {
    std::fprintf(stderr, "pictor worker: %s\n", rt.status().message().c_str());
    return rt.status().IsInvalidArgument() ? kExitUsage : kExitFailure;
  }
  Runtime& r = **rt;
  http::ReturnLargeBlocksToSystem();  // canvases go back to the system after each job
  // The payload's image URL starts at the server's public URL, when the environment names it.
  auto webhooks = StartWebhooks(o.webhooks, r, FirstEnv({"PICTOR_PUBLIC_URL"}));
  if (!webhooks.ok()) {
    std::fprintf(stderr, "pictor worker: %s\n", webhooks.status().message().c_str());
    return webhooks.status().IsInvalidArgument() ? kExitUsage : kExitFailure;
  }
  (*webhooks)->Start();

  // Declared before the server so that it outlives every request the server answers.
  http::MetricsService metrics_service(r.metrics);
  std::unique_ptr<http::HttpServer> metrics_server;
  if (!o.metrics_listen.empty()) {
    AddQueueGauges(r.metrics, *r.queue);
    auto started = http::HttpServer::Start(so, metrics_service);
    if (!started.ok()) {
      std::fprintf(stderr, "pictor worker: --metrics-listen: %s\n",
                   started.status().message().c_str());
      return kExitFailure;
    }
    metrics_server = std::move(started).value();
    std::printf(
        "pictor worker metrics on http://%s:%u/metrics\n",
        so.host.find(':') == std::string::npos ? so.host.c_str() : ("[" + so.host + "]").c_str(),
        metrics_server->port());
    std::fflush(stdout);
  }
  WorkerOptions wo;
  wo.concurrency = o.concurrency;
  wo.visibility_timeout = std::chrono::seconds(o.visibility_timeout);
  wo.max_attempts = o.common.max_receive_count;
  // Declared before the worker, which tells it of its jobs until it is joined.
  TaskProtection task_protection = StartTaskProtection(o, r.metrics);
  if (task_protection.protection) {
    wo.on_jobs_in_hand = [p = task_protection.protection.get()](size_t n) { p->JobsInHand(n); };
  }
  Worker worker(*r.queue, *r.pipeline, wo);
  worker.Start();
  spdlog::info("worker started: queue {}, store {}, model {}, concurrency {}", o.common.queue,
               o.common.store, o.common.model, o.concurrency);
  int sig = WaitForShutdownSignal();
  spdlog::info("signal {} received: finishing jobs in flight", sig);
  worker.RequestStop();
  worker.Join();
  if (task_protection.protection) task_protection.protection->Stop();  // removes it if in force
  (*webhooks)->Stop();
  if (metrics_server) metrics_server->Stop();
  spdlog::info("worker stopped: {} succeeded, {} retried, {} dead-lettered, {} cancelled",
               worker.succeeded(), worker.retried(), worker.dead_lettered(), worker.cancelled());
  return kExitOk;
}

}  // namespace

Subcommand AddWorkerCommand(CLI::App& app) {
  auto o = std::make_shared<WorkerCommandOptions>();
  CLI::App* cmd = app.add_subcommand("worker", "Consume the queue: generate and store each job");
  cmd->add_option("--concurrency", o->concurrency, "Jobs in flight at once (default 4)")
      ->transform(IntegerIn(1, 1024));
  cmd->add_option("--visibility-timeout", o->visibility_timeout,
                  "Seconds a received job stays hidden; renewed while it runs (default 60)")
      ->transform(IntegerIn(5, 43200));
  cmd->add_option("--metrics-listen", o->metrics_listen,
                  "Serve GET /metrics and /healthz on HOST:PORT (port 0 picks a free one)")
      ->envname("PICTOR_METRICS_LISTEN");
  cmd->add_option("--task-protection-minutes", o->task_protection_minutes,
                  "On ECS (ECS_AGENT_URI set): protect the task from scale-in while it has jobs, "
                  "for this many minutes at a time, renewed while busy (default 15; 0 = never)")
      ->envname("PICTOR_TASK_PROTECTION_MINUTES")
      ->transform(IntegerIn(0, 2880));
  AddWebhookOptions(*cmd, o->webhooks);
  AddCommonOptions(*cmd, o->common, kModelPart | kStorePart | kQueuePart | kLedgerPart);
  AddLogFormatOption(*cmd, o->common);
  return {cmd, [o] { return RunWorker(*o); }};
}

}  // namespace pictor::app
