// `pictor alarm`: the queue alarm alone (CloudWatch metric-alarm semantics, see
// src/alarm/evaluator.h), or `pictor alarm --history` to print its recorded transitions.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>

#include "alarm/queue_alarm.h"
#include "alarm/state_store.h"
#include "app/commands.h"
#include "app/registry.h"
#include "app/settings.h"
#include "app/signals.h"

namespace pictor::app {
namespace {

struct AlarmCommandOptions {
  CommonSettings common;
  alarm::AlarmSettings alarm;
  bool history = false;
  int history_limit = 100;
};

int PrintHistory(const AlarmCommandOptions& o) {
  std::string path = o.alarm.state_path;
  if (path.empty()) {
    auto queue = ParseQueueSpec(o.common.queue);
    if (!queue.ok()) {
      std::fprintf(stderr, "pictor alarm: %s\n", queue.status().message().c_str());
      return kExitUsage;
    }
    path = DefaultAlarmStatePath(*queue);
  }
  auto store = alarm::OpenAlarmStateStore(path);
  if (!store.ok()) {
    std::fprintf(stderr, "pictor alarm: %s\n", store.status().message().c_str());
    return kExitFailure;
  }
  auto history = (*store)->History(o.alarm.name, o.history_limit);
  if (!history.ok()) {
    std::fprintf(stderr, "pictor alarm: %s\n", history.status().message().c_str());
    return kExitFailure;
  }
  auto state = (*store)->LoadState(o.alarm.name);
  std::printf("alarm %s: %s\n", o.alarm.name.c_str(),
              state.ok() && state->has_value() ? std::string(alarm::StateName(**state)).c_str()
                                               : "no state recorded");
  std::fputs(alarm::FormatHistory(*history).c_str(), stdout);
  return kExitOk;
}

int RunAlarm(const CLI::App& cmd, AlarmCommandOptions& o) {
  ApplyEnvironment(o.common);
  if (Status s = ConfigureLogging(o.common.log_level); !s.ok()) {
    std::fprintf(stderr, "pictor alarm: %s\n", s.message().c_str());
    return kExitUsage;
  }
  if (Status s = alarm::ApplyAlarmConfigFile(cmd, o.alarm); !s.ok()) {
    std::fprintf(stderr, "pictor alarm: %s\n", s.message().c_str());
    return kExitUsage;
  }
  if (o.history) return PrintHistory(o);
  auto rt = BuildRuntime(o.common, kQueuePart);
  if (!rt.ok()) {
    std::fprintf(stderr, "pictor alarm: %s\n", rt.status().message().c_str());
    return rt.status().IsInvalidArgument() ? kExitUsage : kExitFailure;
  }
  Runtime& r = **rt;
  auto running = StartQueueAlarm(o.alarm, *r.queue, r.queue_spec, r.metrics);
  if (!running.ok()) {
    std::fprintf(stderr, "pictor alarm: %s\n", running.status().message().c_str());
    return running.status().IsInvalidArgument() ? kExitUsage : kExitFailure;
  }
  int sig = WaitForShutdownSignal();
  spdlog::info("signal {} received: stopping the alarm", sig);
  (*running)->Stop();
  return kExitOk;
}

}  // namespace

Subcommand AddAlarmCommand(CLI::App& app) {
  auto o = std::make_shared<AlarmCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "alarm", "Raise a CloudWatch-style alarm on the queue and notify by email, SNS or webhook");
  alarm::AddAlarmOptions(*cmd, o->alarm);
  cmd->add_flag("--history", o->history, "Print the alarm's state and transitions, then exit");
  cmd->add_option("--history-limit", o->history_limit, "Transitions printed (default 100)")
      ->transform(IntegerIn(1, 100000));
  AddCommonOptions(*cmd, o->common, kQueuePart);
  return {cmd, [o, cmd] { return RunAlarm(*cmd, *o); }};
}

}  // namespace pictor::app
