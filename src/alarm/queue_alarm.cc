#include "alarm/queue_alarm.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "alarm/cloudwatch_source.h"
#include "notify/notifier_spec.h"

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

bool EndpointOverridden() {
  for (const char* name : {"AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL"}) {
    const char* v = std::getenv(name);
    if (v != nullptr && *v != '\0') return true;
  }
  return false;
}

// SQS on AWS reports no age of its oldest message through GetQueueAttributes, but publishes it
// to CloudWatch: read it there. An SQS-compatible server elsewhere has neither; its alarm samples
// ApproximateNumberOfMessages instead and says so. Other metrics come from the queue itself.
std::unique_ptr<MetricSource> NewSource(const AlarmRule& rule, JobQueue& queue,
                                        std::string_view queue_spec) {
  if (!IsSqsQueueSpec(queue_spec)) return NewQueueMetricSource(queue, rule.metric);
  std::string region, name;
  if (rule.metric == QueueMetric::kApproximateAgeOfOldestMessage && !EndpointOverridden() &&
      IsAwsSqsQueueUrl(queue_spec, &region, &name)) {
    CloudWatchQuery query;
    query.queue_name = name;
    query.metric = std::string(MetricName(rule.metric));
    query.statistic = std::string(StatisticName(rule.statistic));
    // CloudWatch keeps SQS metrics per minute: a shorter alarm period still asks for minutes.
    query.period = std::max(std::chrono::seconds(60), rule.period / 60 * 60);
    return NewCloudWatchMetricSource(region, query);
  }
  return NewQueueMetricSource(queue, rule.metric, /*age_available=*/false);
}

}  // namespace

bool IsSqsQueueSpec(std::string_view spec) {
  return spec.substr(0, 7) == "http://" || spec.substr(0, 8) == "https://";
}

Result<std::unique_ptr<QueueAlarm>> StartAlarm(const AlarmSettings& settings, JobQueue& queue,
                                               std::string_view queue_spec,
                                               MetricsRegistry& metrics) {
  auto rule = RuleFromSettings(settings);
  if (!rule.ok()) return rule.status();

  AlarmRunnerOptions options;
  options.rule = *rule;
  options.queue_name = queue.Name();
  options.samples_per_period = settings.samples_per_period;
  options.notify_on.clear();
  for (const auto& name : settings.notify_on) {
    auto state = ParseState(name);
    if (!state.ok()) return state.status().WithContext("--notify-on");
    options.notify_on.insert(*state);
  }

  notify::NotifierSettings ns;
  ns.alert_email = settings.alert_email;
  ns.smtp_starttls = settings.smtp_starttls;
  auto notifier = notify::MakeNotifiers(settings.notify, ns);
  if (!notifier.ok()) return notifier.status();

  const std::string path =
      settings.state_path.empty() ? DefaultStatePath(queue_spec) : settings.state_path;
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

  auto source = NewSource(*rule, queue, queue_spec);
  auto alarm =
      std::make_unique<QueueAlarm>(std::move(source), std::move(store).value(),
                                   std::move(notifier).value(), std::move(options), metrics);
  if (Status s = alarm->Start(); !s.ok()) return s;
  return alarm;
}

}  // namespace pictor::alarm
