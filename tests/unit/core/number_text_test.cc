#include "core/number_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/number_flags.h"

namespace pictor {
namespace {

TEST(ParseFiniteSetting, ReadsDecimalNumbers) {
  EXPECT_EQ(*ParseFiniteSetting("--threshold", "300"), 300.0);
  EXPECT_EQ(*ParseFiniteSetting("--threshold", "-0.5"), -0.5);
  EXPECT_EQ(*ParseFiniteSetting("--threshold", "+2.5e3"), 2500.0);
  EXPECT_EQ(*ParseFiniteSetting("--threshold", "1e15"), 1e15);
}

TEST(ParseFiniteSetting, RefusesNanAndInfinitiesNamingTheFlag) {
  for (const char* text : {"nan", "NaN", "-nan", "inf", "-inf", "+inf", "infinity", "INF"}) {
    auto v = ParseFiniteSetting("--threshold", text);
    ASSERT_FALSE(v.ok()) << text;
    EXPECT_TRUE(v.status().IsInvalidArgument());
    EXPECT_NE(v.status().message().find("--threshold"), std::string::npos) << v.status().message();
    EXPECT_NE(v.status().message().find("finite"), std::string::npos) << v.status().message();
  }
}

TEST(ParseFiniteSetting, RefusesValuesBeyondTheRange) {
  for (const char* text : {"1e400", "-1e400", "1e16", "-2e15", "1e-400"}) {
    auto v = ParseFiniteSetting("--threshold", text);
    ASSERT_FALSE(v.ok()) << text;
    EXPECT_NE(v.status().message().find("out of range"), std::string::npos) << v.status().message();
  }
}

TEST(ParseFiniteSetting, RefusesTextThatIsNotWhollyANumber) {
  for (const char* text : {"", " 1", "1 ", "0x10", "0x1p3", "1,5", "3s", "++1", "-", "."}) {
    EXPECT_FALSE(ParseFiniteSetting("--threshold", text).ok()) << "'" << text << "'";
  }
}

TEST(CheckFiniteSetting, BoundsParsedValues) {
  EXPECT_TRUE(CheckFiniteSetting("x", 0).ok());
  EXPECT_FALSE(CheckFiniteSetting("x", std::numeric_limits<double>::quiet_NaN()).ok());
  EXPECT_FALSE(CheckFiniteSetting("x", -std::numeric_limits<double>::infinity()).ok());
  EXPECT_FALSE(CheckFiniteSetting("x", 1e300).ok());
}

TEST(ParseIntegerSetting, ReadsDecimalIntegersInRange) {
  EXPECT_EQ(*ParseIntegerSetting("--period", "60", 1, 86400), 60);
  EXPECT_EQ(*ParseIntegerSetting("--period", "+1", 1, 86400), 1);
  EXPECT_EQ(*ParseIntegerSetting("--period", "010", 1, 86400), 10);  // decimal, never octal
  EXPECT_EQ(*ParseIntegerSetting("--x", "-5", -10, 10), -5);
}

TEST(ParseIntegerSetting, RefusesOutOfRangeAndOverflowingValues) {
  for (const char* text : {"0", "86401", "99999999999999999999999", "-1"}) {
    auto v = ParseIntegerSetting("--period", text, 1, 86400);
    ASSERT_FALSE(v.ok()) << text;
    EXPECT_NE(v.status().message().find("out of range"), std::string::npos) << v.status().message();
    EXPECT_NE(v.status().message().find("--period"), std::string::npos);
  }
}

TEST(ParseIntegerSetting, RefusesFloatsNanAndOtherText) {
  for (const char* text : {"nan", "inf", "1e3", "1.0", "0x10", "", " 5", "5 ", "--5", "+-5"}) {
    auto v = ParseIntegerSetting("--period", text, 1, 86400);
    ASSERT_FALSE(v.ok()) << "'" << text << "'";
    EXPECT_NE(v.status().message().find("is not an integer"), std::string::npos)
        << v.status().message();
  }
}

TEST(NumberFlags, ValidatorsCanonicaliseWhatCli11Converts) {
  CLI::App app{"t"};
  int period = 0;
  double threshold = 0;
  app.add_option("--period", period)->transform(IntegerIn(1, 86400));
  app.add_option("--threshold", threshold)->transform(FiniteNumber());
  app.parse(std::vector<std::string>{"2.5", "--threshold", "010", "--period"});
  EXPECT_EQ(period, 10);  // CLI11 alone reads "010" as octal 8
  EXPECT_EQ(threshold, 2.5);
}

TEST(NumberFlags, NonFiniteOrOutOfRangeValuesAreValidationErrorsNamingTheFlag) {
  for (const char* text : {"nan", "inf", "1e400", "-infinity"}) {
    CLI::App app{"t"};
    double threshold = 0;
    app.add_option("--threshold", threshold)->transform(FiniteNumber());
    try {
      app.parse(std::vector<std::string>{text, "--threshold"});
      ADD_FAILURE() << text << " was accepted as " << threshold;
    } catch (const CLI::ValidationError& e) {
      EXPECT_NE(std::string(e.what()).find("--threshold"), std::string::npos) << e.what();
    }
  }
  CLI::App app{"t"};
  int n = 0;
  app.add_option("--n", n)->transform(IntegerIn(1, 5));
  EXPECT_THROW(app.parse(std::vector<std::string>{"nan", "--n"}), CLI::ValidationError);
}

}  // namespace
}  // namespace pictor
