#include "alarm/alarm_settings.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>

namespace pictor::alarm {
namespace {

class AlarmSettingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("pictor-alarm-" + std::to_string(::getpid()) + ".toml"))
                .string();
    AddAlarmOptions(cmd_, settings_);
  }
  void TearDown() override { std::filesystem::remove(path_); }
  void Write(const std::string& text) { std::ofstream(path_) << text; }
  void Parse(std::vector<std::string> args) {
    std::reverse(args.begin(), args.end());
    cmd_.parse(args);
  }

  CLI::App cmd_{"alarm"};
  AlarmSettings settings_;
  std::string path_;
};

TEST_F(AlarmSettingsTest, FlagsBuildTheRule) {
  Parse({"--period", "1", "--evaluation-periods", "3", "--datapoints-to-alarm", "2", "--threshold",
         "3", "--statistic", "Average", "--treat-missing-data", "breaching"});
  auto rule = RuleFromSettings(settings_);
  ASSERT_TRUE(rule.ok()) << rule.status().ToString();
  EXPECT_EQ(rule->period, std::chrono::seconds(1));
  EXPECT_EQ(rule->evaluation_periods, 3);
  EXPECT_EQ(rule->datapoints_to_alarm, 2);
  EXPECT_EQ(rule->statistic, Statistic::kAverage);
  EXPECT_EQ(rule->treat_missing, MissingData::kBreaching);
}

TEST_F(AlarmSettingsTest, DatapointsToAlarmDefaultsToEvaluationPeriods) {
  Parse({"--evaluation-periods", "4"});
  EXPECT_EQ(RuleFromSettings(settings_)->datapoints_to_alarm, 4);
}

TEST_F(AlarmSettingsTest, UnknownComparisonIsRejected) {
  Parse({"--comparison", "Above"});
  EXPECT_TRUE(RuleFromSettings(settings_).status().IsInvalidArgument());
}

TEST_F(AlarmSettingsTest, TomlUsesTheTerraformNames) {
  Write(
      "alert_email = \"ops@example.com\"\nage_threshold = 120\nperiod = 30\n"
      "notify = [\"smtp://127.0.0.1:25\"]\nsns_topic_arn = \"arn:aws:sns:us-east-1:1:t\"\n");
  Parse({"--alarm-config", path_});
  ASSERT_TRUE(ApplyAlarmConfigFile(cmd_, settings_).ok());
  EXPECT_EQ(settings_.alert_email, "ops@example.com");
  EXPECT_EQ(settings_.threshold, 120);
  EXPECT_EQ(settings_.period, 30);
  EXPECT_EQ(settings_.notify,
            (std::vector<std::string>{"smtp://127.0.0.1:25", "arn:aws:sns:us-east-1:1:t"}));
}

TEST_F(AlarmSettingsTest, FlagWinsOverTheFile) {
  Write("age_threshold = 120\n");
  Parse({"--alarm-config", path_, "--threshold", "5"});
  ASSERT_TRUE(ApplyAlarmConfigFile(cmd_, settings_).ok());
  EXPECT_EQ(settings_.threshold, 5);
}

TEST_F(AlarmSettingsTest, BadTomlIsAnInvalidArgumentNamingTheFile) {
  Write("age_threshold = = 1\n");
  Parse({"--alarm-config", path_});
  Status s = ApplyAlarmConfigFile(cmd_, settings_);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find(path_), std::string::npos);
}

TEST_F(AlarmSettingsTest, WrongTypeInTomlIsRejected) {
  Write("period = \"soon\"\n");
  Parse({"--alarm-config", path_});
  EXPECT_TRUE(ApplyAlarmConfigFile(cmd_, settings_).IsInvalidArgument());
}

}  // namespace
}  // namespace pictor::alarm

namespace pictor::alarm {
namespace {

TEST_F(AlarmSettingsTest, NonFiniteThresholdFlagIsRejected) {
  for (const char* text : {"nan", "inf", "-inf", "1e400"}) {
    CLI::App cmd{"alarm"};
    AlarmSettings settings;
    AddAlarmOptions(cmd, settings);
    EXPECT_THROW(cmd.parse(std::vector<std::string>{text, "--threshold"}), CLI::ValidationError)
        << text << " accepted as " << settings.threshold;
  }
}

TEST_F(AlarmSettingsTest, NonFiniteThresholdInTomlIsRejectedNamingFileAndKey) {
  for (const char* text : {"nan", "+inf", "-inf", "1e300"}) {
    for (const char* key : {"threshold", "age_threshold"}) {
      CLI::App cmd{"alarm"};
      AlarmSettings settings;
      AddAlarmOptions(cmd, settings);
      Write(std::string(key) + " = " + text + "\n");
      cmd.parse(std::vector<std::string>{path_, "--alarm-config"});
      Status s = ApplyAlarmConfigFile(cmd, settings);
      ASSERT_TRUE(s.IsInvalidArgument()) << key << " = " << text << ": " << settings.threshold;
      EXPECT_NE(s.message().find(path_), std::string::npos) << s.message();
      EXPECT_NE(s.message().find(key), std::string::npos) << s.message();
    }
  }
}

TEST_F(AlarmSettingsTest, IntegersInTomlOutsideTheFlagsRangesAreRejected) {
  // 4294967356 would wrap to 60 in an int; 1e400 is infinity or no TOML at all.
  for (const char* line :
       {"period = 4294967356", "period = 0", "period = 86401", "evaluation_periods = 101",
        "datapoints_to_alarm = -1", "period = 60.0", "period = nan", "threshold = 1e400"}) {
    CLI::App cmd{"alarm"};
    AlarmSettings settings;
    AddAlarmOptions(cmd, settings);
    Write(std::string(line) + "\n");
    cmd.parse(std::vector<std::string>{path_, "--alarm-config"});
    EXPECT_TRUE(ApplyAlarmConfigFile(cmd, settings).IsInvalidArgument()) << line;
  }
}

TEST_F(AlarmSettingsTest, RuleFromSettingsRefusesANonFiniteThresholdSetInCode) {
  AlarmSettings settings;
  settings.threshold = std::numeric_limits<double>::quiet_NaN();
  EXPECT_TRUE(RuleFromSettings(settings).status().IsInvalidArgument());
  settings.threshold = std::numeric_limits<double>::infinity();
  EXPECT_TRUE(RuleFromSettings(settings).status().IsInvalidArgument());
  settings.threshold = 300;
  EXPECT_TRUE(RuleFromSettings(settings).ok());
}

TEST_F(AlarmSettingsTest, IntegerThresholdInTomlStillReads) {
  Write("age_threshold = 120\nperiod = 30\n");
  Parse({"--alarm-config", path_});
  ASSERT_TRUE(ApplyAlarmConfigFile(cmd_, settings_).ok());
  EXPECT_EQ(settings_.threshold, 120.0);
}

}  // namespace
}  // namespace pictor::alarm
