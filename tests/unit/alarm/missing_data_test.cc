// CloudWatch's table "how alarm state is evaluated when data is missing": 3 out of 3, an
// evaluation range of 5 periods, oldest first; 0 = not breaching, X = breaching, - = missing.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "alarm/evaluator.h"

namespace pictor::alarm {
namespace {

// "Retain current state" in the table.
constexpr std::optional<AlarmState> kRetain = std::nullopt;

struct Row {
  std::string datapoints;  // "0 - X - X"
  std::optional<AlarmState> missing, ignore, breaching, not_breaching;
};

std::vector<std::optional<double>> Range(const std::string& text) {
  std::vector<std::optional<double>> range;
  for (char c : text) {
    if (c == '0') range.push_back(0.0);  // threshold 3, GreaterThanThreshold
    if (c == 'X') range.push_back(10.0);
    if (c == '-') range.push_back(std::nullopt);
  }
  return range;
}

const Row kTable[] = {
    {"0 - X - X", AlarmState::kOk, AlarmState::kOk, AlarmState::kOk, AlarmState::kOk},
    {"0 - - - -", AlarmState::kOk, AlarmState::kOk, AlarmState::kOk, AlarmState::kOk},
    {"- - - - -", AlarmState::kInsufficientData, kRetain, AlarmState::kAlarm, AlarmState::kOk},
    {"0 X X - X", AlarmState::kAlarm, AlarmState::kAlarm, AlarmState::kAlarm, AlarmState::kAlarm},
    {"- - X - -", AlarmState::kAlarm, kRetain, AlarmState::kAlarm, AlarmState::kOk},
};

class MissingDataTableTest : public ::testing::TestWithParam<Row> {
 protected:
  // The state the table gives for `treatment`, checked from each possible current state.
  void ExpectRow(MissingData treatment, std::optional<AlarmState> expected) {
    AlarmRule rule;
    rule.threshold = 3;
    rule.evaluation_periods = 3;
    rule.datapoints_to_alarm = 3;
    rule.treat_missing = treatment;
    const auto range = Range(GetParam().datapoints);
    ASSERT_EQ(range.size(), 5u);
    for (AlarmState current :
         {AlarmState::kOk, AlarmState::kAlarm, AlarmState::kInsufficientData}) {
      Decision d = Decide(rule, range, current);
      EXPECT_EQ(d.state, expected.value_or(current))
          << GetParam().datapoints << " treated as " << MissingDataName(treatment) << " from "
          << StateName(current) << ": " << d.reason;
    }
  }
};

TEST_P(MissingDataTableTest, Missing) { ExpectRow(MissingData::kMissing, GetParam().missing); }
TEST_P(MissingDataTableTest, Ignore) { ExpectRow(MissingData::kIgnore, GetParam().ignore); }
TEST_P(MissingDataTableTest, Breaching) {
  ExpectRow(MissingData::kBreaching, GetParam().breaching);
}
TEST_P(MissingDataTableTest, NotBreaching) {
  ExpectRow(MissingData::kNotBreaching, GetParam().not_breaching);
}

INSTANTIATE_TEST_SUITE_P(CloudWatchDocs, MissingDataTableTest, ::testing::ValuesIn(kTable),
                         [](const ::testing::TestParamInfo<Row>& info) {
                           std::string name;
                           for (char c : info.param.datapoints) {
                             if (c == '0') name += "Ok";
                             if (c == 'X') name += "Breach";
                             if (c == '-') name += "Missing";
                           }
                           return name;
                         });

TEST(MissingDataTest, AllMissingReasonSaysHowManyWereUnknown) {
  AlarmRule rule;
  const std::vector<std::optional<double>> range(3, std::nullopt);
  EXPECT_EQ(Decide(rule, range, AlarmState::kOk).reason,
            "Insufficient Data: 3 datapoints were unknown.");
}

TEST(MissingDataTest, BreachingFillsOnlyUpToTheEvaluationPeriods) {
  // 2 out of 3 with one real non-breaching datapoint: two breaching fills reach M.
  AlarmRule rule;
  rule.threshold = 3;
  rule.evaluation_periods = 3;
  rule.datapoints_to_alarm = 2;
  rule.treat_missing = MissingData::kBreaching;
  const std::vector<std::optional<double>> range{std::nullopt, std::nullopt, std::nullopt,
                                                 std::nullopt, 0.0};
  EXPECT_EQ(Decide(rule, range, AlarmState::kOk).state, AlarmState::kAlarm);
}

// 2 out of 3: the cases where M <= real datapoints < N tell "fewer than N" (fill) from "fewer
// than M".
AlarmRule TwoOutOfThree(MissingData treatment) {
  AlarmRule rule;
  rule.threshold = 3;
  rule.evaluation_periods = 3;
  rule.datapoints_to_alarm = 2;
  rule.treat_missing = treatment;
  return rule;
}

TEST(MissingDataTest, BreachingFillsWhenFewerThanNRealDatapointsEvenWithMOfThem) {
  // "- - - 0 X": two real datapoints (= M) but fewer than N; the one missing period of the last
  // three is filled as breaching: X 0 X has 2 breaching.
  const auto range = Range("- - - 0 X");
  EXPECT_EQ(Decide(TwoOutOfThree(MissingData::kBreaching), range, AlarmState::kOk).state,
            AlarmState::kAlarm);
  EXPECT_EQ(Decide(TwoOutOfThree(MissingData::kNotBreaching), range, AlarmState::kAlarm).state,
            AlarmState::kOk);
}

TEST(MissingDataTest, MissingAndIgnoreDecideOnMRealDatapointsWithoutFilling) {
  const auto range = Range("- - - 0 X");
  EXPECT_EQ(Decide(TwoOutOfThree(MissingData::kMissing), range, AlarmState::kAlarm).state,
            AlarmState::kOk);
  EXPECT_EQ(Decide(TwoOutOfThree(MissingData::kIgnore), range, AlarmState::kAlarm).state,
            AlarmState::kOk);
}

TEST(MissingDataTest, NRealDatapointsDecideWhateverTheTreatmentLookingBackPastGaps) {
  // "X X - X -": three real datapoints, all breaching, reach back past the gaps; notBreaching
  // fills nothing, so the alarm fires although two of the last three periods are empty.
  const auto range = Range("X X - X -");
  EXPECT_EQ(Decide(TwoOutOfThree(MissingData::kNotBreaching), range, AlarmState::kOk).state,
            AlarmState::kAlarm);
}

}  // namespace
}  // namespace pictor::alarm
