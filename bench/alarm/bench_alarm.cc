// The CPU cost of evaluating many alarms: 1,000 alarms on one SQLite queue, each sampled 4 times
// per 60 s period (the runner's schedule). Reports the CPU time of one scheduled step (sample +
// evaluation) and the share of one core 1,000 alarms take at a 60 s period.
// Usage: bench_alarm [alarms=1000] [simulated_periods=30]
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <vector>

#include "alarm/alarm_runner.h"
#include "alarm/metric_source.h"
#include "queue/sqlite/sqlite_queue.h"

namespace {

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace pictor;
  spdlog::set_level(spdlog::level::off);  // transitions are logged; not what is measured
  const int alarms = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int periods = argc > 2 ? std::atoi(argv[2]) : 30;
  const auto dir =
      std::filesystem::temp_directory_path() / ("pictor-bench-alarm-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  SqliteQueueOptions queue_options;
  queue_options.path = (dir / "queue.db").string();
  auto queue = OpenSqliteQueue(queue_options);
  if (!queue.ok()) {
    std::fprintf(stderr, "%s\n", queue.status().ToString().c_str());
    return 1;
  }
  for (int i = 0; i < 20; ++i) (void)(*queue)->Send(OutgoingMessage{"{\"prompt\":\"x\"}"});

  MetricsRegistry metrics;
  std::vector<std::unique_ptr<alarm::MetricSource>> sources;
  std::vector<std::unique_ptr<alarm::AlarmRunner>> runners;
  for (int i = 0; i < alarms; ++i) {
    alarm::AlarmRunnerOptions o;
    o.rule.name = "alarm-" + std::to_string(i);
    o.rule.period = std::chrono::seconds(60);
    o.rule.threshold = i % 2 ? 1e9 : 0;  // half in ALARM, half OK
    sources.push_back(alarm::NewQueueMetricSource(**queue, o.rule.metric));
    runners.push_back(
        std::make_unique<alarm::AlarmRunner>(o, *sources.back(), nullptr, nullptr, &metrics));
    if (!runners.back()->Restore().ok()) return 1;
  }
  const int steps_per_period = 4;
  const double start = CpuSeconds();
  const auto wall = std::chrono::steady_clock::now();
  for (int p = 0; p < periods * steps_per_period; ++p) {
    const auto now = alarm::TimePoint(std::chrono::seconds(6000 + p * 15));
    for (auto& r : runners) r->Step(now);
  }
  const double cpu = CpuSeconds() - start;
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
  const double steps = static_cast<double>(alarms) * periods * steps_per_period;
  const double per_step_us = cpu / steps * 1e6;
  // One 60 s period holds steps_per_period steps of every alarm.
  const double core_share = cpu / periods / 60.0 * 100.0;
  std::printf("alarms %d, simulated periods %d (60 s, %d samples each), steps %.0f\n", alarms,
              periods, steps_per_period, steps);
  std::printf("cpu %.3f s (wall %.3f s): %.2f us per step (sample + evaluate)\n", cpu, wall_s,
              per_step_us);
  std::printf("share of one core at a 60 s period for %d alarms: %.3f %%\n", alarms, core_share);
  std::filesystem::remove_all(dir);
  return 0;
}
