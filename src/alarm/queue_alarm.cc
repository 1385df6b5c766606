#include "alarm/queue_alarm.h"

#include <algorithm>
#include <filesystem>

#include "alarm/cloudwatch_source.h"

namespace pictor::alarm {

QueueAlarm::QueueAlarm(std::unique_ptr<MetricSource> source, std::unique_ptr<AlarmStateStore> store,
                       std::unique_ptr<Notifier> notifier, AlarmRunnerOptions options,
                       MetricsRegistry& metrics)
    : source_(std::move(source)),
      store_(std::move(store)),
      notifier_(std::move(notifier)),
      runner_(std::make_unique<AlarmRunner>(std::move(options), *source_, store_.get(),
                                            notifier_.get(), &metrics)) {}

QueueAlarm::~QueueAlarm() { Stop(); }

Status QueueAlarm::Start() { return runner_->Start(); }

void QueueAlarm::Stop() {
  runner_->Stop();
  notifier_.reset();  // joins the delivery thread
}

namespace {

std::unique_ptr<MetricSource> NewSource(const AlarmRule& rule, JobQueue& queue,
                                        const MetricSourceSpec& spec) {
  if (spec.kind == MetricSourceSpec::Kind::kQueue) return NewQueueMetricSource(queue, rule.metric);
  if (spec.kind == MetricSourceSpec::Kind::kCloudWatch &&
      rule.metric == QueueMetric::kApproximateAgeOfOldestMessage) {
    CloudWatchQuery query;
    query.queue_name = spec.queue_name;
    query.metric = std::string(MetricName(rule.metric));
    query.statistic = std::string(StatisticName(rule.statistic));
    // CloudWatch keeps SQS metrics per minute: a shorter alarm period still asks for minutes.
    query.period = std::max(std::chrono::seconds(60), rule.period / 60 * 60);
    return NewCloudWatchMetricSource(spec.region, query);
  }
  return NewQueueMetricSource(queue, rule.metric, /*age_available=*/false);
}

}  // namespace

Result<std::unique_ptr<QueueAlarm>> StartAlarm(const AlarmSettings& settings, JobQueue& queue,
                                               AlarmWiring wiring, MetricsRegistry& metrics) {
  auto rule = RuleFromSettings(settings);
  if (!rule.ok()) return rule.status();

  AlarmRunnerOptions options;
  options.rule = *rule;
  options.queue_name = queue.Name();
  options.samples_per_period = settings.samples_per_period;
  options.explain = std::move(wiring.explain);
  options.notify_on.clear();
  for (const auto& name : settings.notify_on) {
    auto state = ParseState(name);
    if (!state.ok()) return state.status().WithContext("--notify-on");
    options.notify_on.insert(*state);
  }

  const std::string& path = wiring.state_path;
  if (auto parent = std::filesystem::path(path).parent_path(); !parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    // Said here: SQLite would only say "unable to open database file".
    if (ec) {
      return Status::Unavailable("cannot create " + parent.string() +
                                 " for the alarm state: " + ec.message());
    }
  }
  auto store = OpenAlarmStateStore(path);
  if (!store.ok()) return store.status();

  auto source = NewSource(*rule, queue, wiring.source);
  auto alarm =
      std::make_unique<QueueAlarm>(std::move(source), std::move(store).value(),
                                   std::move(wiring.notifier), std::move(options), metrics);
  if (Status s = alarm->Start(); !s.ok()) return s;
  return alarm;
}

}  // namespace pictor::alarm
