#include "alarm/alarm_runner.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace pictor::alarm {

AlarmRunner::AlarmRunner(AlarmRunnerOptions options, MetricSource& source, AlarmStateStore* store,
                         Notifier* notifier, MetricsRegistry* metrics)
    : options_(std::move(options)),
      source_(source),
      store_(store),
      notifier_(notifier),
      evaluator_(options_.rule) {
  if (metrics != nullptr) {
    gauge_ =
        &metrics->GetGauge("pictor_alarm_state", "Alarm state: 0 OK, 1 ALARM, 2 INSUFFICIENT_DATA",
                           {{"alarm", options_.rule.name}});
    gauge_->Set(static_cast<double>(AlarmState::kInsufficientData));
  }
}

AlarmRunner::~AlarmRunner() { Stop(); }

Status AlarmRunner::Restore() {
  if (Status s = options_.rule.Validate(); !s.ok()) return s;
  if (store_ != nullptr) {
    auto recorded = store_->LoadState(options_.rule.name);
    if (!recorded.ok()) return recorded.status();
    if (recorded->has_value()) evaluator_.RestoreState(**recorded);
  }
  state_ = evaluator_.state();
  if (gauge_ != nullptr) gauge_->Set(static_cast<double>(state_.load()));
  return Status::Ok();
}

Status AlarmRunner::Start() {
  if (Status s = Restore(); !s.ok()) return s;
  if (std::string note = source_.Note(); !note.empty()) {
    spdlog::warn("alarm {}: {}", options_.rule.name, note);
  }
  spdlog::info("alarm {} on {}: {} {} {} {} over {} s, {} of {} periods, missing data {}; state {}",
               options_.rule.name, options_.queue_name, StatisticName(options_.rule.statistic),
               MetricName(options_.rule.metric), ComparisonName(options_.rule.comparison),
               FormatValue(options_.rule.threshold), options_.rule.period.count(),
               options_.rule.datapoints_to_alarm, options_.rule.evaluation_periods,
               MissingDataName(options_.rule.treat_missing), StateName(state_.load()));
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void AlarmRunner::Stop() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::optional<AlarmTransition> AlarmRunner::Step(TimePoint now) {
  auto transition = evaluator_.Evaluate(now);
  if (auto value = source_.Sample(); value.ok()) {
    evaluator_.AddSample(now, *value);
  } else {
    spdlog::warn("alarm {}: no sample of {}: {}", options_.rule.name,
                 MetricName(options_.rule.metric), value.status().ToString());
  }
  if (transition) Publish(*transition);
  return transition;
}

void AlarmRunner::Run() {
  using namespace std::chrono;
  const auto interval =
      duration_cast<milliseconds>(options_.rule.period) / std::max(1, options_.samples_per_period);
  const milliseconds period =
      std::max(milliseconds(1), duration_cast<milliseconds>(options_.rule.period));
  int64_t last_period = -1;
  std::unique_lock lock(stop_mutex_);
  while (!stopping_) {
    lock.unlock();
    const TimePoint now = options_.clock();
    Step(now);
    // One debug line per period seen to close, changed or not: what shows from outside that the
    // alarm goes on evaluating while nothing changes (the end-to-end tests wait on it).
    const int64_t index = duration_cast<milliseconds>(now.time_since_epoch()) / period;
    if (last_period >= 0 && index != last_period) {
      spdlog::debug("alarm {}: period closed, state {}", options_.rule.name,
                    StateName(state_.load()));
    }
    last_period = index;
    // Wake on the next multiple of the sample interval (a few ms past it), so that one wake
    // falls just after each period's end and evaluates it at once.
    const auto since_epoch = duration_cast<milliseconds>(now.time_since_epoch());
    const auto next = (since_epoch / interval + 1) * interval + milliseconds(5);
    const auto wait = next - since_epoch;
    lock.lock();
    stop_cv_.wait_for(lock, wait, [this] { return stopping_; });
  }
}

void AlarmRunner::Publish(const AlarmTransition& t) {
  state_ = t.to;
  if (gauge_ != nullptr) gauge_->Set(static_cast<double>(t.to));
  spdlog::info("alarm {}: {} -> {}: {}", options_.rule.name, StateName(t.from), StateName(t.to),
               t.reason);
  if (store_ != nullptr) {
    if (Status s = store_->Record(options_.rule.name, t); !s.ok()) {
      spdlog::error("alarm {}: transition not recorded: {}", options_.rule.name, s.ToString());
    }
  }
  bool notify = options_.notify_on.count(t.to) > 0;
  if (t.to == AlarmState::kOk && t.from != AlarmState::kAlarm) notify = false;
  if (!notify || notifier_ == nullptr) return;
  if (Status s = notifier_->Notify(EventFor(t)); !s.ok()) {
    spdlog::error("alarm {}: notification failed: {}", options_.rule.name, s.ToString());
  }
}

AlarmEvent AlarmRunner::EventFor(const AlarmTransition& t) const {
  const AlarmRule& r = options_.rule;
  AlarmEvent e;
  e.alarm = r.name;
  e.queue = options_.queue_name;
  e.metric = MetricName(r.metric);
  e.statistic = StatisticName(r.statistic);
  e.comparison = ComparisonName(r.comparison);
  e.old_state = StateName(t.from);
  e.new_state = StateName(t.to);
  e.reason = t.reason;
  e.has_value = !t.datapoints.empty();
  e.value = e.has_value ? t.datapoints.front() : 0;
  e.threshold = r.threshold;
  e.period_seconds = static_cast<int>(r.period.count());
  e.evaluation_periods = r.evaluation_periods;
  e.datapoints_to_alarm = r.datapoints_to_alarm;
  e.datapoints = t.datapoints;
  e.time = t.time;
  e.note = source_.Note();
  if (options_.explain) {
    if (std::string why = options_.explain(); !why.empty()) {
      e.note = e.note.empty() ? why : e.note + " " + why;
    }
  }
  return e;
}

}  // namespace pictor::alarm
