#include "alarm/alarm_rule.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <numeric>
#include <utility>

namespace pictor::alarm {
namespace {

template <typename E, size_t N>
Result<E> ParseName(std::string_view what, std::string_view name,
                    const std::array<std::pair<E, std::string_view>, N>& names) {
  std::string accepted;
  for (const auto& [value, text] : names) {
    if (text == name) return value;
    if (!accepted.empty()) accepted += ", ";
    accepted += text;
  }
  return Status::InvalidArgument(
      fmt::format("unknown {} '{}'; accepted: {}", what, name, accepted));
}

template <typename E, size_t N>
std::string_view NameOf(E value, const std::array<std::pair<E, std::string_view>, N>& names) {
  for (const auto& [v, text] : names) {
    if (v == value) return text;
  }
  return "?";
}

constexpr std::array<std::pair<AlarmState, std::string_view>, 3> kStates{{
    {AlarmState::kOk, "OK"},
    {AlarmState::kAlarm, "ALARM"},
    {AlarmState::kInsufficientData, "INSUFFICIENT_DATA"},
}};
constexpr std::array<std::pair<Statistic, std::string_view>, 5> kStatistics{{
    {Statistic::kMaximum, "Maximum"},
    {Statistic::kMinimum, "Minimum"},
    {Statistic::kAverage, "Average"},
    {Statistic::kSum, "Sum"},
    {Statistic::kSampleCount, "SampleCount"},
}};
constexpr std::array<std::pair<Comparison, std::string_view>, 4> kComparisons{{
    {Comparison::kGreaterThanThreshold, "GreaterThanThreshold"},
    {Comparison::kGreaterThanOrEqualToThreshold, "GreaterThanOrEqualToThreshold"},
    {Comparison::kLessThanThreshold, "LessThanThreshold"},
    {Comparison::kLessThanOrEqualToThreshold, "LessThanOrEqualToThreshold"},
}};
constexpr std::array<std::pair<MissingData, std::string_view>, 4> kTreatments{{
    {MissingData::kMissing, "missing"},
    {MissingData::kNotBreaching, "notBreaching"},
    {MissingData::kBreaching, "breaching"},
    {MissingData::kIgnore, "ignore"},
}};
constexpr std::array<std::pair<QueueMetric, std::string_view>, 3> kMetrics{{
    {QueueMetric::kApproximateAgeOfOldestMessage, "ApproximateAgeOfOldestMessage"},
    {QueueMetric::kApproximateNumberOfMessagesVisible, "ApproximateNumberOfMessagesVisible"},
    {QueueMetric::kNumberOfMessagesDeadLettered, "NumberOfMessagesDeadLettered"},
}};

}  // namespace

Status AlarmRule::Validate() const {
  if (name.empty()) return Status::InvalidArgument("the alarm needs a name");
  if (period.count() < 1 || period.count() > 86400) {
    return Status::InvalidArgument("period must be 1 to 86400 seconds");
  }
  if (evaluation_periods < 1 || evaluation_periods > 100) {
    return Status::InvalidArgument("evaluation periods must be 1 to 100");
  }
  if (datapoints_to_alarm < 1 || datapoints_to_alarm > evaluation_periods) {
    return Status::InvalidArgument(fmt::format(
        "datapoints to alarm must be 1 to the evaluation periods ({})", evaluation_periods));
  }
  return Status::Ok();
}

std::string_view StateName(AlarmState s) { return NameOf(s, kStates); }
std::string_view StatisticName(Statistic s) { return NameOf(s, kStatistics); }
std::string_view ComparisonName(Comparison c) { return NameOf(c, kComparisons); }
std::string_view MissingDataName(MissingData t) { return NameOf(t, kTreatments); }
std::string_view MetricName(QueueMetric m) { return NameOf(m, kMetrics); }

Result<AlarmState> ParseState(std::string_view n) { return ParseName("alarm state", n, kStates); }
Result<Statistic> ParseStatistic(std::string_view n) {
  return ParseName("statistic", n, kStatistics);
}
Result<Comparison> ParseComparison(std::string_view n) {
  return ParseName("comparison operator", n, kComparisons);
}
Result<MissingData> ParseMissingData(std::string_view n) {
  return ParseName("missing data treatment", n, kTreatments);
}
Result<QueueMetric> ParseMetric(std::string_view n) { return ParseName("metric", n, kMetrics); }

std::string_view ComparisonPhrase(Comparison c) {
  switch (c) {
    case Comparison::kGreaterThanThreshold:
      return "greater than";
    case Comparison::kGreaterThanOrEqualToThreshold:
      return "greater than or equal to";
    case Comparison::kLessThanThreshold:
      return "less than";
    case Comparison::kLessThanOrEqualToThreshold:
      return "less than or equal to";
  }
  return "?";
}

double Aggregate(Statistic statistic, std::span<const double> samples) {
  switch (statistic) {
    case Statistic::kMaximum:
      return *std::max_element(samples.begin(), samples.end());
    case Statistic::kMinimum:
      return *std::min_element(samples.begin(), samples.end());
    case Statistic::kAverage:
      return std::accumulate(samples.begin(), samples.end(), 0.0) /
             static_cast<double>(samples.size());
    case Statistic::kSum:
      return std::accumulate(samples.begin(), samples.end(), 0.0);
    case Statistic::kSampleCount:
      return static_cast<double>(samples.size());
  }
  return 0;
}

bool Breaches(Comparison comparison, double value, double threshold) {
  switch (comparison) {
    case Comparison::kGreaterThanThreshold:
      return value > threshold;
    case Comparison::kGreaterThanOrEqualToThreshold:
      return value >= threshold;
    case Comparison::kLessThanThreshold:
      return value < threshold;
    case Comparison::kLessThanOrEqualToThreshold:
      return value <= threshold;
  }
  return false;
}

}  // namespace pictor::alarm
