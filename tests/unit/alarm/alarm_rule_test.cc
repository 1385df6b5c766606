#include "alarm/alarm_rule.h"

#include <gtest/gtest.h>

#include <vector>

namespace pictor::alarm {
namespace {

// CloudWatch's statistics over one period's samples {10, 20, 30, 40}.
const std::vector<double> kSamples{10, 40, 20, 30};

TEST(AggregateTest, MaximumIsTheLargestSample) {
  EXPECT_DOUBLE_EQ(Aggregate(Statistic::kMaximum, kSamples), 40);
}
TEST(AggregateTest, MinimumIsTheSmallestSample) {
  EXPECT_DOUBLE_EQ(Aggregate(Statistic::kMinimum, kSamples), 10);
}
TEST(AggregateTest, AverageIsSumOverSampleCount) {
  EXPECT_DOUBLE_EQ(Aggregate(Statistic::kAverage, kSamples), 25);
}
TEST(AggregateTest, SumAddsTheSamples) {
  EXPECT_DOUBLE_EQ(Aggregate(Statistic::kSum, kSamples), 100);
}
TEST(AggregateTest, SampleCountCountsTheSamples) {
  EXPECT_DOUBLE_EQ(Aggregate(Statistic::kSampleCount, kSamples), 4);
}
TEST(AggregateTest, OneSampleIsItsOwnAverage) {
  const std::vector<double> one{7.5};
  EXPECT_DOUBLE_EQ(Aggregate(Statistic::kAverage, one), 7.5);
}

TEST(BreachesTest, GreaterThanExcludesTheThreshold) {
  EXPECT_TRUE(Breaches(Comparison::kGreaterThanThreshold, 3.5, 3));
  EXPECT_FALSE(Breaches(Comparison::kGreaterThanThreshold, 3, 3));
}
TEST(BreachesTest, GreaterThanOrEqualIncludesTheThreshold) {
  EXPECT_TRUE(Breaches(Comparison::kGreaterThanOrEqualToThreshold, 3, 3));
  EXPECT_FALSE(Breaches(Comparison::kGreaterThanOrEqualToThreshold, 2.9, 3));
}
TEST(BreachesTest, LessThanExcludesTheThreshold) {
  EXPECT_TRUE(Breaches(Comparison::kLessThanThreshold, 2.5, 3));
  EXPECT_FALSE(Breaches(Comparison::kLessThanThreshold, 3, 3));
}
TEST(BreachesTest, LessThanOrEqualIncludesTheThreshold) {
  EXPECT_TRUE(Breaches(Comparison::kLessThanOrEqualToThreshold, 3, 3));
  EXPECT_FALSE(Breaches(Comparison::kLessThanOrEqualToThreshold, 3.1, 3));
}

TEST(AlarmNamesTest, EveryNameParsesBackToItsValue) {
  for (auto s : {Statistic::kMaximum, Statistic::kMinimum, Statistic::kAverage, Statistic::kSum,
                 Statistic::kSampleCount}) {
    EXPECT_EQ(*ParseStatistic(StatisticName(s)), s);
  }
  for (auto c : {Comparison::kGreaterThanThreshold, Comparison::kGreaterThanOrEqualToThreshold,
                 Comparison::kLessThanThreshold, Comparison::kLessThanOrEqualToThreshold}) {
    EXPECT_EQ(*ParseComparison(ComparisonName(c)), c);
  }
  for (auto t : {MissingData::kMissing, MissingData::kNotBreaching, MissingData::kBreaching,
                 MissingData::kIgnore}) {
    EXPECT_EQ(*ParseMissingData(MissingDataName(t)), t);
  }
  for (auto m : {QueueMetric::kApproximateAgeOfOldestMessage,
                 QueueMetric::kApproximateNumberOfMessagesVisible,
                 QueueMetric::kNumberOfMessagesDeadLettered}) {
    EXPECT_EQ(*ParseMetric(MetricName(m)), m);
  }
  for (auto s : {AlarmState::kOk, AlarmState::kAlarm, AlarmState::kInsufficientData}) {
    EXPECT_EQ(*ParseState(StateName(s)), s);
  }
}

TEST(AlarmNamesTest, UnknownNameIsRejectedListingTheAcceptedOnes) {
  auto parsed = ParseStatistic("p99");
  ASSERT_FALSE(parsed.ok());
  EXPECT_TRUE(parsed.status().IsInvalidArgument());
  EXPECT_NE(parsed.status().message().find("SampleCount"), std::string::npos);
}

TEST(AlarmRuleTest, DefaultRuleIsValid) { EXPECT_TRUE(AlarmRule{}.Validate().ok()); }

TEST(AlarmRuleTest, MoreDatapointsToAlarmThanPeriodsIsInvalid) {
  AlarmRule rule;
  rule.evaluation_periods = 2;
  rule.datapoints_to_alarm = 3;
  EXPECT_TRUE(rule.Validate().IsInvalidArgument());
}

TEST(AlarmRuleTest, ZeroPeriodIsInvalid) {
  AlarmRule rule;
  rule.period = std::chrono::seconds(0);
  EXPECT_TRUE(rule.Validate().IsInvalidArgument());
}

}  // namespace
}  // namespace pictor::alarm
