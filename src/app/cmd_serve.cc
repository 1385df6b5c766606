// `pictor serve`: the HTTP API plus an in-process worker pool on the same queue.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>
#include <optional>

#include "alarm/alarm_settings.h"
#include "alarm/queue_alarm.h"
#include "app/commands.h"
#include "app/key_check.h"
#include "app/output_file.h"
#include "app/queue_metrics.h"
#include "app/registry.h"
#include "app/settings.h"
#include "app/signals.h"
#include "core/worker.h"
#include "http/api.h"
#include "http/memory_budget.h"
#include "http/metrics_service.h"
#include "http/public_url.h"
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
  std::string public_url;
  size_t max_connections_per_address = http::ServerOptions{}.max_connections_per_address;
  size_t sync_memory_mb = http::ApiOptions{}.sync_memory_bytes / (1024 * 1024);
  bool alarm = false;
  alarm::AlarmSettings alarm_settings;
  std::string auth = "none";  // keys | none
  bool insecure_no_auth = false;
  std::string metrics_listen;  // HOST:PORT of a separate, unauthenticated /metrics listener
};

// Whether `host` (as ParseHostPort gives it) names this machine's loopback interface only. Any
// other name might resolve to an address others reach, so it counts as not loopback.
bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1") return true;
  if (host.rfind("127.", 0) != 0) return false;
  int dots = 0;
  for (char c : host) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return dots == 3;
}

// Without keys, anyone who reaches the port generates images at the operator's expense and reads
// every image: refused off loopback unless the operator says so in as many words.
Status CheckExposure(const ServeOptions& o, const std::string& host) {
  if (o.auth == "keys" || IsLoopbackHost(host) || o.insecure_no_auth) return Status::Ok();
  return Status::InvalidArgument(
      "refusing to listen on " + host +
      " without authentication: anyone who can reach it could generate images at your expense "
      "and read every image. Use --auth keys (make keys with 'pictor keys create'), listen on "
      "127.0.0.1, or pass --insecure-no-auth if something in front of this server "
      "authenticates its callers");
}

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
  if (Status s = CheckExposure(o, so.host); !s.ok()) {
    std::fprintf(stderr, "pictor serve: %s\n", s.message().c_str());
    return kExitUsage;
  }
  http::ServerOptions metrics_so;
  metrics_so.io_threads = 1;
  metrics_so.blocking_threads = 1;
  if (!o.metrics_listen.empty()) {
    if (Status s =
            ParseHostPort("--metrics-listen", o.metrics_listen, &metrics_so.host, &metrics_so.port);
        !s.ok()) {
      std::fprintf(stderr, "pictor serve: %s\n", s.message().c_str());
      return kExitUsage;
    }
  }
  so.io_threads = o.io_threads;
  so.max_connections_per_address = o.max_connections_per_address;
  http::ApiOptions ao;
  if (!o.public_url.empty()) {
    auto public_url = http::ParsePublicUrl(o.public_url);
    if (!public_url.ok()) {
      std::fprintf(stderr, "pictor serve: %s\n", public_url.status().message().c_str());
      return kExitUsage;
    }
    ao.public_url = std::move(public_url).value();
  }
  ao.sync_memory_bytes = o.sync_memory_mb * 1024 * 1024;
  http::ReturnLargeBlocksToSystem();
  auto rt = BuildRuntime(o.common, kModelPart | kStorePart | kQueuePart | kLedgerPart);
  if (!rt.ok()) {
    std::fprintf(stderr, "pictor serve: %s\n", rt.status().message().c_str());
    return rt.status().IsInvalidArgument() ? kExitUsage : kExitFailure;
  }
  Runtime& r = **rt;
  AddQueueGauges(r.metrics, *r.queue);

  // The job routes run on the event loop only when queue and ledger are local SQLite files
  // (microseconds, no fsync on the request path); records in a store (files with fsync, S3)
  // go to the blocking pool like any other remote call.
  ao.local_job_backends = LocalJobBackends(r);
  std::unique_ptr<KeyCheck> keys;  // outlives the Api and the server, which borrow it
  if (o.auth == "keys") {
    auto started = StartKeyCheck(r, o.common, /*background_refresh=*/true);
    if (!started.ok()) {
      std::fprintf(stderr, "pictor serve: %s\n", started.status().message().c_str());
      return kExitFailure;
    }
    keys = std::move(started).value();
    ao.access.authenticator = keys->authenticator.get();
  }
  http::Api api(*r.pipeline, r.queue.get(), r.ledger.get(), r.metrics, ao);
  auto server = http::HttpServer::Start(so, api);
  if (!server.ok()) {
    std::fprintf(stderr, "pictor serve: %s\n", server.status().message().c_str());
    return kExitFailure;
  }
  const uint16_t port = (*server)->port();

  // /metrics on a port of its own, without keys: for a scraper on a network the API's callers
  // do not share. Declared after the API server so that it stops first.
  http::MetricsService metrics_service(r.metrics);
  std::unique_ptr<http::HttpServer> metrics_server;
  if (!o.metrics_listen.empty()) {
    auto started = http::HttpServer::Start(metrics_so, metrics_service);
    if (!started.ok()) {
      std::fprintf(stderr, "pictor serve: --metrics-listen: %s\n",
                   started.status().message().c_str());
      (*server)->Stop();
      return kExitFailure;
    }
    metrics_server = std::move(started).value();
  }

  // The queue alarm runs in-process when asked for, or when it has someone to tell.
  std::unique_ptr<alarm::QueueAlarm> queue_alarm;
  if (o.alarm || !o.alarm_settings.notify.empty() || !o.alarm_settings.config_file.empty()) {
    auto started = StartQueueAlarm(o.alarm_settings, *r.queue, r.queue_spec, r.metrics);
    if (!started.ok()) {
      std::fprintf(stderr, "pictor serve: %s\n", started.status().message().c_str());
      if (metrics_server) metrics_server->Stop();
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
    if (Status s = WriteFileAtomically(o.port_file, std::to_string(port) + "\n"); !s.ok()) {
      spdlog::error("--port-file: {}", s.message());
    }
  }
  std::printf(
      "pictor serve listening on http://%s:%u\n",
      so.host.find(':') == std::string::npos ? so.host.c_str() : ("[" + so.host + "]").c_str(),
      port);
  if (metrics_server) {
    std::printf("pictor serve metrics on http://%s:%u/metrics\n",
                metrics_so.host.find(':') == std::string::npos
                    ? metrics_so.host.c_str()
                    : ("[" + metrics_so.host + "]").c_str(),
                metrics_server->port());
  }
  std::fflush(stdout);
  spdlog::info("serving: model {}, store {}, queue {}, {} in-process workers", o.common.model,
               o.common.store, o.common.queue, o.workers);

  int sig = WaitForShutdownSignal();
  spdlog::info("signal {} received: shutting down", sig);
  if (worker) worker->RequestStop();
  if (metrics_server) metrics_server->Stop();
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
  cmd->add_option("--public-url", o->public_url,
                  "Absolute http(s) URL clients reach this server at; the base of Location, "
                  "status_url and url (default: from a valid Host header, else relative)")
      ->envname("PICTOR_PUBLIC_URL");
  cmd->add_option("--max-connections-per-address", o->max_connections_per_address,
                  "Open connections one client address may hold; more are closed at once "
                  "(default 256)")
      ->transform(IntegerIn(1, 100000));
  cmd->add_option("--sync-memory-mb", o->sync_memory_mb,
                  "Memory concurrent POST /generate-image may hold, estimated from their sizes; "
                  "beyond it they get 503 (default 512; 0 = unbounded)")
      ->transform(IntegerIn(0, int64_t{1} << 20));
  cmd->add_option("--auth", o->auth,
                  "keys: every route but /healthz and /readyz needs 'Authorization: Bearer <key>' "
                  "(keys made by 'pictor keys create'); none (default): no authentication, "
                  "loopback only unless --insecure-no-auth")
      ->envname("PICTOR_AUTH")
      ->check(CLI::IsMember({"keys", "none"}));
  cmd->add_flag("--insecure-no-auth", o->insecure_no_auth,
                "With --auth none, listen on a non-loopback address anyway (only behind "
                "something else that authenticates callers)");
  cmd->add_option("--metrics-listen", o->metrics_listen,
                  "HOST:PORT of a separate listener for GET /metrics and /healthz, without keys "
                  "(on the API's port, /metrics needs an admin key when --auth keys)")
      ->envname("PICTOR_METRICS_LISTEN");
  cmd->add_flag(
      "--alarm", o->alarm,
      "Run the queue alarm in-process (also on when --notify or --alarm-config is given)");
  alarm::AddAlarmOptions(*cmd, o->alarm_settings);
  AddCommonOptions(*cmd, o->common, kModelPart | kStorePart | kQueuePart | kLedgerPart);
  return {cmd, [o, cmd] { return RunServe(*cmd, *o); }};
}

}  // namespace pictor::app
