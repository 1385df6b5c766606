// The metric alarm evaluator: CloudWatch's rules as a pure, clock-injected state machine.
//
// Samples of the metric arrive with their times (AddSample); periods are aligned to multiples of
// the rule's period since the Unix epoch, and each closed period's samples aggregate into one
// datapoint with the rule's statistic. Evaluate(now) looks at the evaluation range -- the last
// N + 2 closed periods, since CloudWatch widens the range past N when datapoints are missing
// ("0 - X - X" in its documentation is a 5-period range for N = 3) -- and applies Decide().
//
// Decide() is CloudWatch's documented behaviour ("Configuring how CloudWatch alarms treat missing
// data"), with M = datapoints to alarm and N = evaluation periods:
//  - at least N real datapoints in the range: the newest N of them decide, ALARM when at least
//    M breach, otherwise OK; missing ones are skipped whatever the treatment (the documentation:
//    "the value you set for how to treat missing data is not needed and is ignored");
//  - no real datapoint: missing -> INSUFFICIENT_DATA, ignore -> the current state, breaching ->
//    ALARM, notBreaching -> OK;
//  - 1..N-1 real datapoints, breaching / notBreaching: the N - count missing ones are filled with
//    breaching / non-breaching values and every real one counts;
//  - M..N-1 real datapoints, missing / ignore: the real ones decide, as with N;
//  - 1..M-1 real datapoints: missing looks at the real ones only, ALARM when all of them breach;
//    ignore goes OK when even breaching fills could not reach M, else keeps the current state.
// A new evaluator starts in INSUFFICIENT_DATA unless given the state a restart restored, and
// judges nothing until the first period it watched (from its first sample or evaluation) closes,
// so a restart does not read the time it was down as missing data.
//
// Thread-safety: not thread-safe; one owner calls it (the alarm runner's thread).
#ifndef PICTOR_ALARM_EVALUATOR_H_
#define PICTOR_ALARM_EVALUATOR_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "alarm/alarm_rule.h"

namespace pictor::alarm {

using TimePoint = std::chrono::system_clock::time_point;

// The outcome of the rules over one evaluation range.
struct Decision {
  AlarmState state = AlarmState::kInsufficientData;
  std::string reason;              // CloudWatch's wording, e.g. "Threshold Crossed: ..."
  std::vector<double> datapoints;  // the real datapoints that decided, newest first
};

// `range` is the evaluation range, oldest first; nullopt marks a missing datapoint.
Decision Decide(const AlarmRule& rule, std::span<const std::optional<double>> range,
                AlarmState current);

// A change of state, with what caused it.
struct AlarmTransition {
  AlarmState from = AlarmState::kInsufficientData;
  AlarmState to = AlarmState::kInsufficientData;
  TimePoint time{};
  std::string reason;
  std::vector<double> datapoints;  // newest first
};

// "5.0", "4.25": how datapoints and thresholds appear in reasons and notifications.
std::string FormatValue(double value);

class AlarmEvaluator {
 public:
  // `rule` must be valid (AlarmRule::Validate).
  explicit AlarmEvaluator(AlarmRule rule, AlarmState initial = AlarmState::kInsufficientData);

  // Records one sample of the metric taken at `at`. Samples older than the evaluation range are
  // dropped.
  void AddSample(TimePoint at, double value);

  // Evaluates the range of periods closed by `now`, once per newly closed period (a second call
  // within the same period returns nullopt). Returns the transition when the state changed.
  std::optional<AlarmTransition> Evaluate(TimePoint now);

  // The end of the period containing `now`: when the next evaluation is due.
  TimePoint PeriodEnd(TimePoint now) const;

  AlarmState state() const { return state_; }
  // Sets the state a restart restored, before the first evaluation.
  void RestoreState(AlarmState state) { state_ = state; }
  const AlarmRule& rule() const { return rule_; }
  // The newest closed datapoint, if any period has closed with samples.
  std::optional<double> last_datapoint() const { return last_datapoint_; }
  // The evaluation range's length in periods.
  int range_periods() const { return rule_.evaluation_periods + 2; }

 private:
  int64_t PeriodIndex(TimePoint t) const;

  const AlarmRule rule_;
  AlarmState state_;
  std::map<int64_t, std::vector<double>> samples_;  // by period index
  std::optional<int64_t> start_period_;  // the first period watched (sampled or evaluated)
  std::optional<int64_t> last_evaluated_;
  std::optional<double> last_datapoint_;
};

}  // namespace pictor::alarm

#endif  // PICTOR_ALARM_EVALUATOR_H_
