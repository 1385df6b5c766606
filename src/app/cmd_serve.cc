// `pictor serve`: the HTTP API plus an in-process worker pool on the same queue.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "alarm/alarm_settings.h"
#include "alarm/queue_alarm.h"
#include "app/commands.h"
#include "app/key_check.h"
#include "app/model_catalog.h"
#include "app/output_file.h"
#include "app/queue_metrics.h"
#include "app/registry.h"
#include "app/settings.h"
#include "app/signals.h"
#include "app/webhooks.h"
#include "core/worker.h"
#include "http/api.h"
#include "http/job_events.h"
#include "http/memory_budget.h"
#include "http/metrics_service.h"
#include "http/public_url.h"
#include "http/server.h"
#include "http/tls_server_context.h"

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
  std::string tls_cert;
  std::string tls_key;
  size_t max_connections_per_address = http::ServerOptions{}.max_connections_per_address;
  size_t sync_memory_mb = http::ApiOptions{}.sync_memory_bytes / (1024 * 1024);
  bool alarm = false;
  alarm::AlarmSettings alarm_settings;
  std::vector<std::string> model_aliases;  // NAME=SPEC; none given: PICTOR_MODEL_ALIASES
  std::string auth = "none";               // keys | none
  bool insecure_no_auth = false;
  std::string metrics_listen;  // HOST:PORT of a separate, unauthenticated /metrics listener
  // GET /jobs/{id}/events (http/job_events.h).
  int event_poll_ms = static_cast<int>(http::JobEventOptions{}.poll_interval.count());
  int event_keepalive_ms = static_cast<int>(http::JobEventOptions{}.keepalive_interval.count());
  size_t max_event_streams = http::JobEventOptions{}.max_streams;
  WebhookSettings webhooks;
};

// SIGHUP with TLS on: new connections get the files' current pair; open ones keep theirs. A pair
// that does not load changes nothing, and the log says why and what is still served.
void ReloadTls(http::TlsServerContext& tls) {
  if (Status s = tls.Reload(); !s.ok()) {
    spdlog::error("SIGHUP: TLS certificate not reloaded, still serving {}: {}",
                  tls.Summary().ToString(), s.message());
    return;
  }
  spdlog::info("SIGHUP: TLS certificate reloaded: {}", tls.Summary().ToString());
}

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
  if (Status s = ConfigureLogging(o.common.log_level, o.common.log_format); !s.ok()) {
    std::fprintf(stderr, "pictor serve: %s\n", s.message().c_str());
    return kExitUsage;
  }
  http::ServerOptions so;
  if (Status s = ParseHostPort("--listen", o.listen, &so.host, &so.port); !s.ok()) {
    std::fprintf(stderr, "pictor serve: %s\n", s.message().c_str());
    return kExitUsage;
  }
  if (o.tls_cert.empty() != o.tls_key.empty()) {
    std::fprintf(stderr,
                 "pictor serve: --tls-cert and --tls-key go together: give both or neither\n");
    return kExitUsage;
  }
  if (!o.tls_cert.empty()) {
    auto tls = http::TlsServerContext::Load(o.tls_cert, o.tls_key);
    if (!tls.ok()) {
      std::fprintf(stderr, "pictor serve: %s\n", tls.status().message().c_str());
      return kExitUsage;
    }
    so.tls = std::move(tls).value();
    spdlog::info("TLS certificate: {}", so.tls->Summary().ToString());
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
  auto alias_texts = AliasTexts(o.model_aliases, o.common.config_file);
  if (!alias_texts.ok()) {
    std::fprintf(stderr, "pictor serve: %s\n", alias_texts.status().message().c_str());
    return kExitUsage;
  }
  auto aliases = ParseModelAliases(*alias_texts);
  if (!aliases.ok()) {
    std::fprintf(stderr, "pictor serve: %s\n", aliases.status().message().c_str());
    return kExitUsage;
  }
  http::ReturnLargeBlocksToSystem();
  auto rt = BuildRuntime(o.common, kModelPart | kStorePart | kQueuePart | kLedgerPart);
  if (!rt.ok()) {
    std::fprintf(stderr, "pictor serve: %s\n", rt.status().message().c_str());
    return rt.status().IsInvalidArgument() ? kExitUsage : kExitFailure;
  }
  Runtime& r = **rt;
  AddQueueGauges(r.metrics, *r.queue);
  auto webhooks = StartWebhooks(o.webhooks, r, ao.public_url);
  if (!webhooks.ok()) {
    std::fprintf(stderr, "pictor serve: %s\n", webhooks.status().message().c_str());
    return webhooks.status().IsInvalidArgument() ? kExitUsage : kExitFailure;
  }
  ao.webhooks_enabled = (*webhooks)->enabled();
  ao.allow_private_webhooks = o.webhooks.allow_private;
  // The API tells the runtime's job observers (settings.cc: the pipeline's too) of the jobs it
  // creates and cancels; event streams and webhooks are among them.
  ao.job_observer = &r.observers;

  // The job routes run on the event loop only when queue and ledger are local SQLite files
  // (microseconds, no fsync on the request path); records in a store (files with fsync, S3)
  // go to the blocking pool like any other remote call.
  ao.local_job_backends = LocalJobBackends(r);
  auto models = BuildModelCatalog(*r.pipeline, o.common.model, *aliases);
  if (!models.ok()) {
    std::fprintf(stderr, "pictor serve: %s\n", models.status().message().c_str());
    return models.status().IsInvalidArgument() ? kExitUsage : kExitFailure;
  }
  ao.models = models->get();
  std::unique_ptr<KeyCheck> keys;  // outlives the Api and the server, which borrow it
  if (o.auth == "keys") {
    auto started = StartKeyCheck(r, o.common, /*background_refresh=*/true);
    if (!started.ok()) {
      std::fprintf(stderr, "pictor serve: %s\n", started.status().message().c_str());
      return kExitFailure;
    }
    keys = std::move(started).value();
    ao.access.authenticator = keys->authenticator.get();
    // The in-process workers charge each key's images against its own budgets too.
    r.pipeline->owner_budgets = keys->budgets.get();
  }
  // Budget admission: a request its budgets cannot pay for is refused before it is queued or
  // generated (the pipeline then charges what is actually made).
  ao.access.spend = r.spend.get();
  ao.access.global_budgets = r.budgets;
  // Event streams follow jobs through the hub: told at once by the in-process workers, and
  // polling the ledger for what other processes do. Declared before the API and the server,
  // which borrow it, so that it outlives every stream.
  std::unique_ptr<http::JobEventHub> events;
  if (r.ledger) {
    http::JobEventOptions eo;
    eo.poll_interval = std::chrono::milliseconds(o.event_poll_ms);
    eo.keepalive_interval = std::chrono::milliseconds(o.event_keepalive_ms);
    eo.max_streams = o.max_event_streams;
    events = std::make_unique<http::JobEventHub>(*r.ledger, eo, &r.metrics);
    r.observers.Add(events.get());  // the pipeline's observer (settings.cc)
    ao.events = events.get();
  }
  // The hub leaves the runtime's observers before it goes (the runtime outlives this function).
  struct LeaveObservers {
    JobObservers& observers;
    JobObserver* hub;
    ~LeaveObservers() {
      if (hub != nullptr) observers.Remove(hub);
    }
  } leave_observers{r.observers, events.get()};
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
    // When the global budget is what holds the queue, the alarm's message says so.
    auto explain = [&pipeline = *r.pipeline]() -> std::string {
      Status room = GlobalBudgetRoom(pipeline);
      if (room.code() != StatusCode::kQuotaExceeded) return "";
      return room.message() + " (it resets at " + FormatUtcTime(room.retry_at_ms()) +
             "): workers receive no jobs until then, so the queue waits.";
    };
    auto started =
        StartQueueAlarm(o.alarm_settings, *r.queue, r.queue_spec, r.metrics, std::move(explain));
    if (!started.ok()) {
      std::fprintf(stderr, "pictor serve: %s\n", started.status().message().c_str());
      if (metrics_server) metrics_server->Stop();
      (*server)->Stop();
      return started.status().IsInvalidArgument() ? kExitUsage : kExitFailure;
    }
    queue_alarm = std::move(started).value();
  }

  (*webhooks)->Start();
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
      "pictor serve listening on %s://%s:%u\n", so.tls ? "https" : "http",
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

  int sig = WaitForShutdownSignal(so.tls ? std::function<void()>([&so] { ReloadTls(*so.tls); })
                                         : std::function<void()>());
  spdlog::info("signal {} received: shutting down", sig);
  if (worker) worker->RequestStop();
  if (metrics_server) metrics_server->Stop();
  (*server)->Stop();
  if (worker) worker->Join();
  (*webhooks)->Stop();
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
  cmd->add_option("--tls-cert", o->tls_cert,
                  "Serve HTTPS with this PEM certificate (the server's first, then its chain); "
                  "needs --tls-key; both are read again on SIGHUP")
      ->envname("PICTOR_TLS_CERT");
  cmd->add_option("--tls-key", o->tls_key,
                  "The PEM private key of --tls-cert, unencrypted (keep it readable by this user "
                  "only)")
      ->envname("PICTOR_TLS_KEY");
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
  cmd->add_option("--event-poll-ms", o->event_poll_ms,
                  "How often GET /jobs/{id}/events reads the ledger for each watched job, to see "
                  "what other processes (pictor worker) do (default 1000)")
      ->transform(IntegerIn(50, 60000));
  cmd->add_option("--event-keepalive-ms", o->event_keepalive_ms,
                  "A quiet event stream gets a keepalive comment this often (default 15000)")
      ->transform(IntegerIn(10, 15000));
  cmd->add_option("--max-event-streams", o->max_event_streams,
                  "Open GET /jobs/{id}/events streams; more get 503 (default 10000)")
      ->transform(IntegerIn(1, 1000000));
  cmd->add_option("--model-alias", o->model_aliases,
                  "NAME=SPEC: a model clients of /v1/images/generations may name (repeatable; "
                  "default PICTOR_MODEL_ALIASES, comma-separated). Clients name only the "
                  "configured model and these aliases, never a spec of their own");
  AddWebhookOptions(*cmd, o->webhooks);
  alarm::AddAlarmOptions(*cmd, o->alarm_settings);
  AddCommonOptions(*cmd, o->common, kModelPart | kStorePart | kQueuePart | kLedgerPart);
  AddLogFormatOption(*cmd, o->common);
  return {cmd, [o, cmd] { return RunServe(*cmd, *o); }};
}

}  // namespace pictor::app
