// What a metric alarm watches and how it decides, in CloudWatch's own terms: the statistic over
// each period, the comparison with a threshold, M out of N datapoints, and the treatment of
// missing data. Value types and name parsing only; no state.
#ifndef PICTOR_ALARM_ALARM_RULE_H_
#define PICTOR_ALARM_ALARM_RULE_H_

#include <chrono>
#include <span>
#include <string>
#include <string_view>

#include "pictor/status.h"

namespace pictor::alarm {

enum class AlarmState { kOk = 0, kAlarm = 1, kInsufficientData = 2 };
enum class Statistic { kMaximum, kMinimum, kAverage, kSum, kSampleCount };
enum class Comparison {
  kGreaterThanThreshold,
  kGreaterThanOrEqualToThreshold,
  kLessThanThreshold,
  kLessThanOrEqualToThreshold,
};
enum class MissingData { kMissing, kNotBreaching, kBreaching, kIgnore };
enum class QueueMetric {
  kApproximateAgeOfOldestMessage,
  kApproximateNumberOfMessagesVisible,
  kNumberOfMessagesDeadLettered,
};

struct AlarmRule {
  std::string name = "pictor-queue-age";
  QueueMetric metric = QueueMetric::kApproximateAgeOfOldestMessage;
  std::chrono::seconds period{60};
  Statistic statistic = Statistic::kMaximum;
  Comparison comparison = Comparison::kGreaterThanThreshold;
  double threshold = 300;
  int evaluation_periods = 1;   // N
  int datapoints_to_alarm = 1;  // M, 1..N
  MissingData treat_missing = MissingData::kMissing;

  // InvalidArgument when a value is out of range (period < 1 s, M > N, N < 1, ...).
  Status Validate() const;
};

// CloudWatch's names: "OK", "ALARM", "INSUFFICIENT_DATA"; "Maximum"; "GreaterThanThreshold";
// "notBreaching"; "ApproximateAgeOfOldestMessage".
std::string_view StateName(AlarmState state);
std::string_view StatisticName(Statistic statistic);
std::string_view ComparisonName(Comparison comparison);
std::string_view MissingDataName(MissingData treatment);
std::string_view MetricName(QueueMetric metric);

// The inverse of the above, exact names only; InvalidArgument listing the accepted names.
Result<AlarmState> ParseState(std::string_view name);
Result<Statistic> ParseStatistic(std::string_view name);
Result<Comparison> ParseComparison(std::string_view name);
Result<MissingData> ParseMissingData(std::string_view name);
Result<QueueMetric> ParseMetric(std::string_view name);

// "greater than", "less than or equal to": the phrase CloudWatch uses in state reasons.
std::string_view ComparisonPhrase(Comparison comparison);

// The statistic over one period's samples; `samples` must not be empty.
double Aggregate(Statistic statistic, std::span<const double> samples);

// True when `value` breaches the threshold under `comparison`.
bool Breaches(Comparison comparison, double value, double threshold);

}  // namespace pictor::alarm

#endif  // PICTOR_ALARM_ALARM_RULE_H_
