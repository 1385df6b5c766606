// `pictor serve`: the HTTP API plus an in-process worker pool on the same queue.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>

#include "alarm/alarm_settings.h"
#include "alarm/queue_alarm.h"
#include "app/commands.h"
#include "app/queue_metrics.h"
#include "app/settings.h"
#include "app/signals.h"
#include "core/worker.h"
#include "http/api.h"
#include "http/server.h"

namespace pictor::app {
namespace {

struct ServeOptions {
  CommonSettings common;
  std::string listen = "127.0.0.1:8080";
  int workers = 2;
  int io_threads = 2;
  int visibility_timeout = 60;
  std::string port_file;
  bool alarm = false;
  alarm::AlarmSettings alarm_settings;
};

int RunServe(const CLI::App& cmd, ServeOptions& o) {
  ApplyEnvironment(o.common);
  if (Status s = alarm::ApplyAlarmConfigFile(cmd, o.alarm_settings); !s.ok()) {
    std::fprintf(stderr, "pictor serve: %s\n", s.message().c_str());
    return kExitUsage;
  }
  if (Status s = ConfigureLogging(o.common.log_level); !s.ok()) {
    std::fprintf(stderr, "pictor serve: %s\n", s.message().c_str());
    return kExitUsage;
  }
  http::ServerOptions so;
  if (Status s = ParseHostPort("--listen", o.listen, &so.host, &so.port); !s.ok()) {
    std::fprintf(stderr, "pictor serve: %s\n", s.message().c_str());
    return kExitUsage;
  }
  so.io_threads = o.io_threads;
  auto rt = BuildRuntime(o.common, kModelPart | kStorePart | kQueuePart | kLedgerPart);
  if (!rt.ok()) {
    std::fprintf(stderr, "pictor serve: %s\n", rt.status().message().c_str());
    return rt.status().IsInvalidArgument() ? kExitUsage : kExitFailure;
  }
  Runtime& r = **rt;
  AddQueueGauges(r.metrics, *r.queue);

  http::ApiOptions ao;
  // The job routes run on the event loop only when queue and ledger are local SQLite files
  // (microseconds, no fsync on the request path); records in a store (files with fsync, S3)
  // go to the blocking pool like any other remote call.
  const bool sqlite_ledger = o.common.jobs.empty() || o.common.jobs.rfind("sqlite:", 0) == 0;
  ao.local_job_backends = o.common.queue.rfind("sqlite:", 0) == 0 && sqlite_ledger;
  http::Api api(*r.pipeline, r.queue.get(), r.ledger.get(), r.metrics, ao);
  auto server = http::HttpServer::Start(so, api);
  if (!server.ok()) {
    std::fprintf(stderr, "pictor serve: %s\n", server.status().message().c_str());
    return kExitFailure;
  }
  const uint16_t port = (*server)->port();

  // The queue alarm runs in-process when asked for, or when it has someone to tell.
  std::unique_ptr<alarm::QueueAlarm> queue_alarm;
  if (o.alarm || !o.alarm_settings.notify.empty() || !o.alarm_settings.config_file.empty()) {
    auto started = alarm::StartAlarm(o.alarm_settings, *r.queue, o.common.queue, r.metrics);
    if (!started.ok()) {
      std::fprintf(stderr, "pictor serve: %s\n", started.status().message().c_str());
      (*server)->Stop();
      return started.status().IsInvalidArgument() ? kExitUsage : kExitFailure;
    }
    queue_alarm = std::move(started).value();
  }

  std::optional<Worker> worker;
  if (o.workers > 0) {
    WorkerOptions wo;
    wo.concurrency = o.workers;
    wo.visibility_timeout = std::chrono::seconds(o.visibility_timeout);
    wo.max_attempts = o.common.max_receive_count;
    worker.emplace(*r.queue, *r.pipeline, wo);
    worker->Start();
  }
  if (!o.port_file.empty()) {
    std::string temp = o.port_file + ".tmp";
    std::ofstream(temp) << port << "\n";
    std::rename(temp.c_str(), o.port_file.c_str());
  }
  std::printf(
      "pictor serve listening on http://%s:%u\n",
      so.host.find(':') == std::string::npos ? so.host.c_str() : ("[" + so.host + "]").c_str(),
      port);
  std::fflush(stdout);
  spdlog::info("serving: model {}, store {}, queue {}, {} in-process workers", o.common.model,
               o.common.store, o.common.queue, o.workers);

  int sig = WaitForShutdownSignal();
  spdlog::info("signal {} received: shutting down", sig);
  if (worker) worker->RequestStop();
  (*server)->Stop();
  if (worker) worker->Join();
  if (queue_alarm) queue_alarm->Stop();
  spdlog::info("stopped");
  return kExitOk;
}

}  // namespace

Subcommand AddServeCommand(CLI::App& app) {
  auto o = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand("serve", "Serve the HTTP API, with in-process workers");
  cmd->add_option("--listen", o->listen, "HOST:PORT to listen on; port 0 picks a free one")
      ->envname("PICTOR_LISTEN");
  cmd->add_option("--workers", o->workers, "In-process queue workers (default 2; 0 = none)")
      ->transform(IntegerIn(0, 1024));
  cmd->add_option("--visibility-timeout", o->visibility_timeout,
                  "Seconds a received job stays hidden; renewed while it runs (default 60)")
      ->transform(IntegerIn(5, 43200));
  cmd->add_option("--io-threads", o->io_threads, "HTTP event-loop threads (default 2)")
      ->transform(IntegerIn(1, 64));
  cmd->add_option("--port-file", o->port_file, "Write the bound port to this file once listening");
  cmd->add_flag(
      "--alarm", o->alarm,
      "Run the queue alarm in-process (also on when --notify or --alarm-config is given)");
  alarm::AddAlarmOptions(*cmd, o->alarm_settings);
  AddCommonOptions(*cmd, o->common, kModelPart | kStorePart | kQueuePart | kLedgerPart);
  return {cmd, [o, cmd] { return RunServe(*cmd, *o); }};
}

}  // namespace pictor::app
