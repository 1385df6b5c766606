#include "alarm/evaluator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

namespace pictor::alarm {
namespace {

std::string Plural(int n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::string List(const std::vector<double>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ", ";
    out += FormatValue(values[i]);
  }
  return out + "]";
}

// "Threshold Crossed: 2 out of the last 2 datapoints [5.0, 4.0] were greater than the threshold
// (3.0) (minimum 2 datapoints for OK -> ALARM transition)."
std::string ThresholdReason(const AlarmRule& rule, AlarmState to, int matching, int considered,
                            const std::vector<double>& newest_first, std::string_view note) {
  const bool alarm = to == AlarmState::kAlarm;
  const int minimum =
      alarm ? rule.datapoints_to_alarm : rule.evaluation_periods - rule.datapoints_to_alarm + 1;
  std::string reason = fmt::format(
      "Threshold Crossed: {} out of the last {} {} {} {}{} the threshold ({}) (minimum {} for {} "
      "transition).",
      matching, Plural(considered, "datapoint", "datapoints"), List(newest_first),
      matching == 1 ? "was" : "were", alarm ? "" : "not ", ComparisonPhrase(rule.comparison),
      FormatValue(rule.threshold), Plural(minimum, "datapoint", "datapoints"),
      alarm ? "OK -> ALARM" : "ALARM -> OK");
  if (!note.empty()) reason.append(" ").append(note);
  return reason;
}

}  // namespace

std::string FormatValue(double value) {
  if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 1e15) {
    return fmt::format("{:.1f}", value);
  }
  return fmt::format("{}", value);
}

Decision Decide(const AlarmRule& rule, std::span<const std::optional<double>> range,
                AlarmState current) {
  const int m = rule.datapoints_to_alarm;
  const int n = rule.evaluation_periods;
  std::vector<double> newest_first;
  for (auto it = range.rbegin(); it != range.rend(); ++it) {
    if (it->has_value()) newest_first.push_back(**it);
  }
  const int count = static_cast<int>(newest_first.size());
  auto breaching_among = [&](int k) {
    return static_cast<int>(
        std::count_if(newest_first.begin(), newest_first.begin() + k,
                      [&](double v) { return Breaches(rule.comparison, v, rule.threshold); }));
  };
  auto threshold_decision = [&](int considered, int breaching, int filled_breaching,
                                int filled_total, std::string_view note) {
    Decision d;
    d.datapoints.assign(newest_first.begin(), newest_first.begin() + considered);
    const int total = considered + filled_total;
    const int bad = breaching + filled_breaching;
    d.state = bad >= m ? AlarmState::kAlarm : AlarmState::kOk;
    const int matching = d.state == AlarmState::kAlarm ? bad : total - bad;
    d.reason = ThresholdReason(rule, d.state, matching, total, d.datapoints, note);
    return d;
  };

  // The documentation's three cases: with at least N real datapoints in the range the newest N
  // decide and the treatment does not matter; with fewer, the missing ones are filled with the
  // treatment "as few times as possible" while every real datapoint counts. Missing and ignore
  // fill with nothing, so for them M real datapoints are already enough to decide.
  const bool fills = rule.treat_missing == MissingData::kBreaching ||
                     rule.treat_missing == MissingData::kNotBreaching;
  if (count >= n || (count >= m && !fills)) {
    const int considered = std::min(n, count);
    return threshold_decision(considered, breaching_among(considered), 0, 0, "");
  }
  if (count == 0) {
    Decision d;
    const int unknown = static_cast<int>(range.size());
    switch (rule.treat_missing) {
      case MissingData::kMissing:
        d.state = AlarmState::kInsufficientData;
        d.reason = fmt::format("Insufficient Data: {} unknown.",
                               Plural(unknown, "datapoint was", "datapoints were"));
        return d;
      case MissingData::kIgnore:
        d.state = current;
        d.reason = fmt::format("Missing data ignored: {} unknown; state kept.",
                               Plural(unknown, "datapoint was", "datapoints were"));
        return d;
      case MissingData::kBreaching:
        return threshold_decision(0, 0, n, n, "(missing datapoints treated as breaching)");
      case MissingData::kNotBreaching:
        return threshold_decision(0, 0, 0, n, "(missing datapoints treated as not breaching)");
    }
  }
  // Fewer real datapoints than N (breaching, notBreaching) or M (missing, ignore): the missing
  // ones of the last N periods are filled.
  const int breaching = breaching_among(count);
  const int fill = std::max(0, n - count);
  switch (rule.treat_missing) {
    case MissingData::kBreaching:
      return threshold_decision(count, breaching, fill, fill,
                                "(missing datapoints treated as breaching)");
    case MissingData::kNotBreaching:
      return threshold_decision(count, breaching, 0, fill,
                                "(missing datapoints treated as not breaching)");
    case MissingData::kMissing: {
      Decision d;
      d.datapoints = newest_first;
      d.state = breaching == count ? AlarmState::kAlarm : AlarmState::kOk;
      const int matching = d.state == AlarmState::kAlarm ? breaching : count - breaching;
      d.reason = ThresholdReason(rule, d.state, matching, count, d.datapoints,
                                 "(missing datapoints not evaluated)");
      return d;
    }
    case MissingData::kIgnore: {
      if (breaching + fill < m) {
        return threshold_decision(count, breaching, 0, 0, "(missing datapoints ignored)");
      }
      Decision d;
      d.datapoints = newest_first;
      d.state = current;
      d.reason = fmt::format(
          "Missing data ignored: {} of the last {} datapoints known; state kept.", count, n);
      return d;
    }
  }
  return {};
}

AlarmEvaluator::AlarmEvaluator(AlarmRule rule, AlarmState initial)
    : rule_(std::move(rule)), state_(initial) {}

int64_t AlarmEvaluator::PeriodIndex(TimePoint t) const {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const int64_t period_ms = static_cast<int64_t>(rule_.period.count()) * 1000;
  return ms >= 0 ? ms / period_ms : -((-ms + period_ms - 1) / period_ms);
}

TimePoint AlarmEvaluator::PeriodEnd(TimePoint now) const {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(
      std::chrono::milliseconds((PeriodIndex(now) + 1) * rule_.period.count() * 1000)));
}

void AlarmEvaluator::AddSample(TimePoint at, double value) {
  const int64_t index = PeriodIndex(at);
  if (!start_period_) start_period_ = index;
  if (last_evaluated_ && index <= *last_evaluated_) return;  // that period is already judged
  samples_[index].push_back(value);
}

std::optional<AlarmTransition> AlarmEvaluator::Evaluate(TimePoint now) {
  const int64_t last_closed = PeriodIndex(now) - 1;
  if (!start_period_) start_period_ = last_closed + 1;
  if (last_closed < *start_period_) return std::nullopt;  // no period watched has closed yet
  if (last_evaluated_ && last_closed <= *last_evaluated_) return std::nullopt;
  last_evaluated_ = last_closed;
  const int64_t first = last_closed - range_periods() + 1;
  samples_.erase(samples_.begin(), samples_.lower_bound(first));

  std::vector<std::optional<double>> range;
  range.reserve(static_cast<size_t>(range_periods()));
  for (int64_t i = first; i <= last_closed; ++i) {
    auto it = samples_.find(i);
    if (it == samples_.end() || it->second.empty()) {
      range.push_back(std::nullopt);
    } else {
      range.push_back(Aggregate(rule_.statistic, it->second));
    }
  }
  if (range.back().has_value()) last_datapoint_ = range.back();

  Decision d = Decide(rule_, range, state_);
  if (d.state == state_) return std::nullopt;
  AlarmTransition t{state_, d.state, now, std::move(d.reason), std::move(d.datapoints)};
  state_ = t.to;
  return t;
}

}  // namespace pictor::alarm
