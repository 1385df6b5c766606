// The alarm's settings as `pictor alarm` and `pictor serve` take them: flags, then a TOML file
// whose keys match the Terraform variables (alert_email, age_threshold, ...), then defaults.
//
// TOML keys (all optional): alarm_name, metric_name, period, statistic, comparison_operator,
// age_threshold (or threshold), evaluation_periods, datapoints_to_alarm, treat_missing_data,
// alert_email, sns_topic_arn, notify (array of specs), notify_on (array of states),
// smtp_starttls, state_path. A flag given on the command line wins over the file.
#ifndef PICTOR_ALARM_ALARM_SETTINGS_H_
#define PICTOR_ALARM_ALARM_SETTINGS_H_

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "alarm/alarm_rule.h"
#include "pictor/status.h"

namespace pictor::alarm {

struct AlarmSettings {
  std::string name = "pictor-queue-age";
  std::string metric = "ApproximateAgeOfOldestMessage";
  int period = 60;
  std::string statistic = "Maximum";
  std::string comparison = "GreaterThanThreshold";
  double threshold = 300;
  int evaluation_periods = 1;
  int datapoints_to_alarm = 0;  // 0 = evaluation_periods
  std::string treat_missing_data = "missing";
  std::vector<std::string> notify;  // smtp://, smtps://, arn:aws:sns:..., http(s)://
  std::string alert_email;
  bool smtp_starttls = false;
  std::vector<std::string> notify_on{"ALARM", "OK"};
  std::string state_path;   // "" = beside the queue (app/specs.h DefaultAlarmStatePath)
  std::string config_file;  // TOML
  int samples_per_period = 4;
};

// Adds --alarm-name, --metric, --period, --statistic, --comparison, --threshold,
// --evaluation-periods, --datapoints-to-alarm, --treat-missing-data, --notify (repeatable),
// --alert-email, --smtp-starttls, --notify-on, --alarm-state, --alarm-config to `command`.
// `settings` must outlive the parse.
void AddAlarmOptions(CLI::App& command, AlarmSettings& settings);

// Reads settings.config_file (when set) into every setting whose flag `command` did not receive.
// InvalidArgument naming the file and key on a bad file or value.
Status ApplyAlarmConfigFile(const CLI::App& command, AlarmSettings& settings);

// The rule the settings describe; InvalidArgument for an unknown name or a bad range.
Result<AlarmRule> RuleFromSettings(const AlarmSettings& settings);

}  // namespace pictor::alarm

#endif  // PICTOR_ALARM_ALARM_SETTINGS_H_
