#include "core/spend_report.h"

#include <gtest/gtest.h>

namespace pictor {
namespace {

constexpr int64_t kNoon = 1773144000000;  // 2026-03-10T12:00:00Z
constexpr int64_t kDayMs = 86400000;

const std::vector<SpendCharge> kCharges = {
    {"a", "alice", "titan", 0.008, kNoon},
    {"b", "", "nova-canvas", 0.04, kNoon + 1},
    {"c", "alice", "nova-canvas", 0.04, kNoon + kDayMs},
};

TEST(SpendReportTest, ByDayAddsUpEachUtcDayAndTheTotal) {
  EXPECT_EQ(FormatSpendTable(kCharges, SpendGrouping::kDay),
            "day           images  usd\n"
            "2026-03-10         2  0.048\n"
            "2026-03-11         1  0.04\n"
            "total              3  0.088\n");
}

TEST(SpendReportTest, ByModelAndByKeyGroupByName) {
  EXPECT_EQ(FormatSpendTable(kCharges, SpendGrouping::kModel),
            "model          images  usd\n"
            "nova-canvas         2  0.08\n"
            "titan               1  0.008\n"
            "total               3  0.088\n");
  EXPECT_EQ(FormatSpendTable(kCharges, SpendGrouping::kKey),
            "key           images  usd\n"
            "(none)             1  0.04\n"
            "alice              2  0.048\n"
            "total              3  0.088\n");
}

TEST(SpendReportTest, NoChargesIsATotalOfZero) {
  EXPECT_EQ(FormatSpendTable({}, SpendGrouping::kDay),
            "day           images  usd\n"
            "total              0  0\n");
}

TEST(SpendReportTest, DatesAreUtcDaysAndGroupingsAreNamed) {
  EXPECT_EQ(*ParseUtcDate("2026-03-10"), kNoon - 12 * 3600000);
  for (const char* bad : {"", "2026-3-10", "2026-02-30", "2026-13-01", "10.03.2026", "2026-03-1x",
                          "1969-12-31", "2026-03-10T00"}) {
    EXPECT_TRUE(ParseUtcDate(bad).status().IsInvalidArgument()) << bad;
  }
  EXPECT_EQ(*ParseSpendGrouping("model"), SpendGrouping::kModel);
  EXPECT_TRUE(ParseSpendGrouping("week").status().IsInvalidArgument());
}

}  // namespace
}  // namespace pictor
