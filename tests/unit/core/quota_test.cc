#include "core/quota.h"

#include <gtest/gtest.h>

#include <string>

namespace pictor {
namespace {

TEST(QuotaTest, ScopesRoundTripAndRefuseUnknownOrRepeated) {
  auto s = ParseScopes("read,generate");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(*s, kScopeGenerate | kScopeRead);
  EXPECT_EQ(FormatScopes(*s), "generate,read");
  EXPECT_EQ(*ParseScopes("admin"), kScopeAdmin);
  for (const char* bad : {"", "write", "read,", ",read", "read,read", "READ", "read generate"}) {
    EXPECT_TRUE(ParseScopes(bad).status().IsInvalidArgument()) << bad;
  }
}

TEST(QuotaTest, RatesParseTheUnitsAndRefuseTheRest) {
  EXPECT_EQ(*ParseRateLimit("60/min"), (RateLimit{60, 60}));
  EXPECT_EQ(*ParseRateLimit("5/s"), (RateLimit{5, 1}));
  EXPECT_EQ(*ParseRateLimit("1000/day"), (RateLimit{1000, 86400}));
  EXPECT_TRUE(ParseRateLimit("unlimited")->unlimited());
  EXPECT_EQ(FormatRateLimit(*ParseRateLimit("60/minute")), "60/min");
  for (const char* bad :
       {"", "60", "0/min", "-1/min", "60/week", "1e3/min", "60/", "/min", "2000000/s", "60 /min"}) {
    EXPECT_TRUE(ParseRateLimit(bad).status().IsInvalidArgument()) << bad;
  }
}

TEST(QuotaTest, BudgetsParseAmountsAndPeriods) {
  EXPECT_EQ(*ParseBudget("5usd/day"), (Budget{5, BudgetPeriod::kDay}));
  EXPECT_EQ(*ParseBudget("0.25usd/month"), (Budget{0.25, BudgetPeriod::kMonth}));
  EXPECT_EQ(FormatBudget(*ParseBudget("50usd/month")), "50usd/month");
  EXPECT_EQ(FormatBudget(*ParseBudget("0.5usd/day")), "0.5usd/day");
  for (const char* bad : {"", "5", "5usd", "5usd/week", "0usd/day", "-1usd/day", "nanusd/day",
                          "infusd/day", "1e3usd/day", "5.usd/day", ".5usd/day", "0.00001usd/day",
                          "2000000usd/day", "5eur/day", "usd/day"}) {
    EXPECT_TRUE(ParseBudget(bad).status().IsInvalidArgument()) << bad;
  }
}

TEST(QuotaTest, PeriodsAreUtcCalendarDaysAndMonths) {
  // 2026-12-31T23:59:59.999Z and the next millisecond.
  const int64_t last = 1798761599999;
  EXPECT_EQ(PeriodStartMs(BudgetPeriod::kDay, last), 1798675200000);
  EXPECT_EQ(NextPeriodStartMs(BudgetPeriod::kDay, last), last + 1);
  EXPECT_EQ(PeriodStartMs(BudgetPeriod::kMonth, last), 1796083200000);  // 2026-12-01
  EXPECT_EQ(NextPeriodStartMs(BudgetPeriod::kMonth, last), last + 1);   // 2027-01-01
  EXPECT_EQ(PeriodStartMs(BudgetPeriod::kMonth, last + 1), last + 1);
  // February of a leap year: 2028-02-15 → 2028-03-01.
  EXPECT_EQ(NextPeriodStartMs(BudgetPeriod::kMonth, 1834228800000), 1835481600000);
  EXPECT_EQ(NextPeriodStartMs(BudgetPeriod::kDay, -1), 0);  // before the epoch
}

TEST(QuotaTest, KeyNamesAreShortAndPlain) {
  for (const char* good : {"alice", "ci-bot", "team.design_2", "0"}) {
    EXPECT_TRUE(ValidateKeyName(good).ok()) << good;
  }
  for (const std::string& bad :
       {std::string(), std::string("Alice"), std::string("-x"), std::string("a b"),
        std::string("a/b"), std::string(65, 'a'), std::string("pk_\n")}) {
    EXPECT_TRUE(ValidateKeyName(bad).IsInvalidArgument()) << bad;
  }
}

}  // namespace
}  // namespace pictor
