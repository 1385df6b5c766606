#include "alarm/evaluator.h"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

namespace pictor::alarm {
namespace {

using std::chrono::seconds;
constexpr std::nullopt_t _ = std::nullopt;

AlarmRule Rule(int m, int n, double threshold = 3) {
  AlarmRule rule;
  rule.period = seconds(60);
  rule.threshold = threshold;
  rule.evaluation_periods = n;
  rule.datapoints_to_alarm = m;
  return rule;
}

Decision DecideOver(const AlarmRule& rule, std::vector<std::optional<double>> range,
                    AlarmState current = AlarmState::kOk) {
  return Decide(rule, range, current);
}

TimePoint At(int seconds_since_epoch) { return TimePoint(seconds(seconds_since_epoch)); }

// CloudWatch's "alarm evaluation" figure: threshold 3, 3 out of 3. The alarm goes to ALARM only
// when the last three datapoints all breach.
TEST(DecideTest, ThreeOutOfThreeAlarmsOnlyWhenAllThreeBreach) {
  EXPECT_EQ(DecideOver(Rule(3, 3), {0, 0, 4, 4, 2}).state, AlarmState::kOk);
  EXPECT_EQ(DecideOver(Rule(3, 3), {0, 0, 4, 4, 4}).state, AlarmState::kAlarm);
  EXPECT_EQ(DecideOver(Rule(3, 3), {4, 4, 4, 4, 1}).state, AlarmState::kOk);
}

// M out of N: the breaching datapoints need not be consecutive, only within the last N.
TEST(DecideTest, TwoOutOfThreeAlarmsOnNonConsecutiveBreaches) {
  EXPECT_EQ(DecideOver(Rule(2, 3), {0, 0, 4, 1, 4}).state, AlarmState::kAlarm);
}

TEST(DecideTest, TwoOutOfThreeIgnoresBreachesOlderThanTheLastThree) {
  EXPECT_EQ(DecideOver(Rule(2, 3), {4, 4, 1, 1, 4}).state, AlarmState::kOk);
}

TEST(DecideTest, OneOutOfOneFollowsTheNewestDatapoint) {
  EXPECT_EQ(DecideOver(Rule(1, 1), {4, 4, 1}).state, AlarmState::kOk);
  EXPECT_EQ(DecideOver(Rule(1, 1), {1, 1, 4}).state, AlarmState::kAlarm);
}

TEST(DecideTest, AlarmReasonUsesCloudWatchWording) {
  Decision d = DecideOver(Rule(2, 2), {_, 1, 1, 4, 5}, AlarmState::kOk);
  EXPECT_EQ(d.reason,
            "Threshold Crossed: 2 out of the last 2 datapoints [5.0, 4.0] were greater than the "
            "threshold (3.0) (minimum 2 datapoints for OK -> ALARM transition).");
  EXPECT_EQ(d.datapoints, (std::vector<double>{5, 4}));
}

TEST(DecideTest, OkReasonCountsTheDatapointsNotBreaching) {
  Decision d = DecideOver(Rule(2, 2), {4, 5, 4, 0.5}, AlarmState::kAlarm);
  EXPECT_EQ(d.state, AlarmState::kOk);
  EXPECT_EQ(d.reason,
            "Threshold Crossed: 1 out of the last 2 datapoints [0.5, 4.0] was not greater than the "
            "threshold (3.0) (minimum 1 datapoint for ALARM -> OK transition).");
}

TEST(EvaluatorTest, StartsInInsufficientData) {
  AlarmEvaluator e(Rule(1, 1));
  EXPECT_EQ(e.state(), AlarmState::kInsufficientData);
}

TEST(EvaluatorTest, StaysInsufficientWithoutSamples) {
  AlarmEvaluator e(Rule(1, 1));
  EXPECT_FALSE(e.Evaluate(At(600)).has_value());
  EXPECT_EQ(e.state(), AlarmState::kInsufficientData);
}

TEST(EvaluatorTest, SamplesOfOnePeriodAggregateWithTheStatistic) {
  AlarmRule rule = Rule(1, 1);
  rule.statistic = Statistic::kAverage;
  AlarmEvaluator e(rule);
  e.AddSample(At(600), 2);
  e.AddSample(At(615), 6);  // average 4 > 3
  e.AddSample(At(659), 4);
  auto t = e.Evaluate(At(660));
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->from, AlarmState::kInsufficientData);
  EXPECT_EQ(t->to, AlarmState::kAlarm);
  EXPECT_EQ(t->datapoints, (std::vector<double>{4}));
  EXPECT_EQ(e.last_datapoint(), 4);
}

TEST(EvaluatorTest, OpenPeriodIsNotEvaluated) {
  AlarmEvaluator e(Rule(1, 1));
  e.AddSample(At(600), 10);
  EXPECT_FALSE(e.Evaluate(At(659)).has_value());
  EXPECT_EQ(e.state(), AlarmState::kInsufficientData);
}

TEST(EvaluatorTest, TransitionIsReportedOnceWhileTheStateHolds) {
  AlarmEvaluator e(Rule(1, 1));
  for (int period = 10; period < 14; ++period) e.AddSample(At(period * 60), 10);
  EXPECT_TRUE(e.Evaluate(At(11 * 60)).has_value());
  EXPECT_FALSE(e.Evaluate(At(12 * 60)).has_value());
  EXPECT_FALSE(e.Evaluate(At(13 * 60)).has_value());
  EXPECT_EQ(e.state(), AlarmState::kAlarm);
}

TEST(EvaluatorTest, EvaluatesOncePerClosedPeriod) {
  AlarmEvaluator e(Rule(1, 1));
  e.AddSample(At(600), 1);
  ASSERT_TRUE(e.Evaluate(At(660)).has_value());  // INSUFFICIENT_DATA -> OK
  e.AddSample(At(661), 10);                      // the open period; judged at 720
  EXPECT_FALSE(e.Evaluate(At(700)).has_value());
  auto t = e.Evaluate(At(720));
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->to, AlarmState::kAlarm);
}

TEST(EvaluatorTest, TwoOfTwoNeedsTwoBreachingPeriodsAndReturnsToOk) {
  AlarmEvaluator e(Rule(2, 2));
  e.AddSample(At(0), 1);
  EXPECT_EQ(e.Evaluate(At(60))->to, AlarmState::kOk);
  e.AddSample(At(60), 5);
  EXPECT_FALSE(e.Evaluate(At(120)).has_value());
  e.AddSample(At(120), 6);
  auto alarm = e.Evaluate(At(180));
  ASSERT_TRUE(alarm.has_value());
  EXPECT_EQ(alarm->from, AlarmState::kOk);
  EXPECT_EQ(alarm->to, AlarmState::kAlarm);
  EXPECT_EQ(alarm->datapoints, (std::vector<double>{6, 5}));
  e.AddSample(At(180), 0);
  auto ok = e.Evaluate(At(240));
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->to, AlarmState::kOk);
}

TEST(EvaluatorTest, RestoredStateIsTheStartingState) {
  AlarmEvaluator e(Rule(1, 1), AlarmState::kAlarm);
  e.AddSample(At(600), 10);
  EXPECT_FALSE(e.Evaluate(At(660)).has_value());  // still ALARM: no new notification
  EXPECT_EQ(e.state(), AlarmState::kAlarm);
}

TEST(EvaluatorTest, PeriodEndIsTheNextMultipleOfThePeriod) {
  AlarmEvaluator e(Rule(1, 1));
  EXPECT_EQ(e.PeriodEnd(At(601)), At(660));
  EXPECT_EQ(e.PeriodEnd(At(660)), At(720));
}

TEST(FormatValueTest, WholeNumbersKeepOneDecimal) {
  EXPECT_EQ(FormatValue(3), "3.0");
  EXPECT_EQ(FormatValue(4.25), "4.25");
}

}  // namespace
}  // namespace pictor::alarm
