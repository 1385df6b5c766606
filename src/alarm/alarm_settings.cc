#include "alarm/alarm_settings.h"

#include <toml++/toml.h>

#include <optional>
#include <utility>

#include "core/number_flags.h"

namespace pictor::alarm {
namespace {

// Ranges shared by the flags and the TOML keys: seconds per period, and periods (N and M).
constexpr std::pair<int, int> kPeriod{1, 86400};
constexpr std::pair<int, int> kPeriods{1, 100};

}  // namespace

void AddAlarmOptions(CLI::App& cmd, AlarmSettings& s) {
  cmd.add_option("--alarm-name", s.name, "Name of the alarm (default pictor-queue-age)");
  cmd.add_option("--metric", s.metric,
                 "ApproximateAgeOfOldestMessage (default), ApproximateNumberOfMessagesVisible or "
                 "NumberOfMessagesDeadLettered");
  cmd.add_option("--period", s.period, "Seconds per datapoint (default 60)")
      ->transform(IntegerIn(kPeriod.first, kPeriod.second));
  cmd.add_option("--statistic", s.statistic,
                 "Maximum (default), Minimum, Average, Sum or SampleCount");
  cmd.add_option("--comparison", s.comparison,
                 "GreaterThanThreshold (default), GreaterThanOrEqualToThreshold, "
                 "LessThanThreshold or LessThanOrEqualToThreshold");
  cmd.add_option("--threshold", s.threshold, "The threshold, a finite number (default 300)")
      ->transform(FiniteNumber());
  cmd.add_option("--evaluation-periods", s.evaluation_periods,
                 "N: the periods looked at (default 1)")
      ->transform(IntegerIn(kPeriods.first, kPeriods.second));
  cmd.add_option("--datapoints-to-alarm", s.datapoints_to_alarm,
                 "M: breaching datapoints out of N that raise the alarm (default N)")
      ->transform(IntegerIn(kPeriods.first, kPeriods.second));
  cmd.add_option("--treat-missing-data", s.treat_missing_data,
                 "missing (default), notBreaching, breaching or ignore");
  cmd.add_option("--notify", s.notify,
                 "Where notifications go, repeatable: smtp://HOST:PORT, smtps://HOST:PORT, "
                 "arn:aws:sns:REGION:ACCOUNT:TOPIC, http(s)://URL");
  cmd.add_option("--alert-email", s.alert_email, "Recipient of email notifications");
  cmd.add_flag("--smtp-starttls", s.smtp_starttls, "Require STARTTLS on smtp:// notifiers");
  cmd.add_option("--notify-on", s.notify_on,
                 "States that notify: ALARM, OK (only back from ALARM), INSUFFICIENT_DATA "
                 "(default ALARM OK)")
      ->delimiter(',');
  cmd.add_option("--alarm-state", s.state_path,
                 "SQLite file of the alarm state and history (default beside the queue)");
  cmd.add_option("--alarm-config", s.config_file,
                 "TOML file with Terraform-style names (alert_email, age_threshold, ...)");
}

namespace {

template <typename T>
Status Take(const toml::table& t, const CLI::App& cmd, std::string_view key, std::string_view flag,
            T& out, const std::string& file) {
  const toml::node* node = t.get(key);
  if (node == nullptr || cmd.count(std::string(flag)) > 0) return Status::Ok();
  std::optional<T> v = node->value<T>();
  if (!v) {
    return Status::InvalidArgument(file + ": '" + std::string(key) + "' has the wrong type");
  }
  out = *v;
  return Status::Ok();
}

// A real number: a TOML integer or float, finite (TOML spells nan and inf) and within
// kMaxSettingMagnitude, like --threshold.
Status TakeNumber(const toml::table& t, const CLI::App& cmd, std::string_view key,
                  std::string_view flag, double& out, const std::string& file) {
  const toml::node* node = t.get(key);
  if (node == nullptr || cmd.count(std::string(flag)) > 0) return Status::Ok();
  std::optional<double> v;
  if (node->is_integer()) v = static_cast<double>(*node->value<int64_t>());
  if (node->is_floating_point()) v = node->value<double>();
  if (!v) return Status::InvalidArgument(file + ": '" + std::string(key) + "' must be a number");
  if (Status s = CheckFiniteSetting(file + ": '" + std::string(key) + "'", *v); !s.ok()) return s;
  out = *v;
  return Status::Ok();
}

// An integer in [lo, hi], as the flag's IntegerIn(lo, hi). A float (60.0) is the wrong type.
Status TakeInteger(const toml::table& t, const CLI::App& cmd, std::string_view key,
                   std::string_view flag, int& out, int lo, int hi, const std::string& file) {
  const toml::node* node = t.get(key);
  if (node == nullptr || cmd.count(std::string(flag)) > 0) return Status::Ok();
  const std::string name = file + ": '" + std::string(key) + "'";
  if (!node->is_integer()) return Status::InvalidArgument(name + " must be an integer");
  const int64_t v = *node->value<int64_t>();
  if (v < lo || v > hi) {
    return Status::InvalidArgument(fmt::format(
        "{} is {}, out of range: it must be an integer from {} to {}", name, v, lo, hi));
  }
  out = static_cast<int>(v);
  return Status::Ok();
}

Status TakeList(const toml::table& t, const CLI::App& cmd, std::string_view key,
                std::string_view flag, std::vector<std::string>& out, const std::string& file) {
  const toml::node* node = t.get(key);
  if (node == nullptr || cmd.count(std::string(flag)) > 0) return Status::Ok();
  const toml::array* array = node->as_array();
  if (array == nullptr) {
    return Status::InvalidArgument(file + ": '" + std::string(key) + "' must be an array");
  }
  out.clear();
  for (const auto& item : *array) {
    auto s = item.value<std::string>();
    if (!s)
      return Status::InvalidArgument(file + ": '" + std::string(key) + "' holds a non-string");
    out.push_back(*s);
  }
  return Status::Ok();
}

}  // namespace

Status ApplyAlarmConfigFile(const CLI::App& cmd, AlarmSettings& s) {
  if (s.config_file.empty()) return Status::Ok();
  toml::table t;
  try {
    t = toml::parse_file(s.config_file);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(s.config_file + ": " + std::string(e.description()));
  }
  const std::string& f = s.config_file;
  for (Status st : {
           Take(t, cmd, "alarm_name", "--alarm-name", s.name, f),
           Take(t, cmd, "metric_name", "--metric", s.metric, f),
           TakeInteger(t, cmd, "period", "--period", s.period, kPeriod.first, kPeriod.second, f),
           Take(t, cmd, "statistic", "--statistic", s.statistic, f),
           Take(t, cmd, "comparison_operator", "--comparison", s.comparison, f),
           TakeNumber(t, cmd, "threshold", "--threshold", s.threshold, f),
           TakeNumber(t, cmd, "age_threshold", "--threshold", s.threshold, f),
           TakeInteger(t, cmd, "evaluation_periods", "--evaluation-periods", s.evaluation_periods,
                       kPeriods.first, kPeriods.second, f),
           TakeInteger(t, cmd, "datapoints_to_alarm", "--datapoints-to-alarm",
                       s.datapoints_to_alarm, kPeriods.first, kPeriods.second, f),
           Take(t, cmd, "treat_missing_data", "--treat-missing-data", s.treat_missing_data, f),
           Take(t, cmd, "alert_email", "--alert-email", s.alert_email, f),
           Take(t, cmd, "smtp_starttls", "--smtp-starttls", s.smtp_starttls, f),
           Take(t, cmd, "state_path", "--alarm-state", s.state_path, f),
           TakeList(t, cmd, "notify", "--notify", s.notify, f),
           TakeList(t, cmd, "notify_on", "--notify-on", s.notify_on, f),
       }) {
    if (!st.ok()) return st;
  }
  if (auto arn = t["sns_topic_arn"].value<std::string>(); arn && cmd.count("--notify") == 0) {
    s.notify.push_back(*arn);
  }
  return Status::Ok();
}

Result<AlarmRule> RuleFromSettings(const AlarmSettings& s) {
  AlarmRule rule;
  rule.name = s.name;
  auto metric = ParseMetric(s.metric);
  if (!metric.ok()) return metric.status();
  auto statistic = ParseStatistic(s.statistic);
  if (!statistic.ok()) return statistic.status();
  auto comparison = ParseComparison(s.comparison);
  if (!comparison.ok()) return comparison.status();
  auto missing = ParseMissingData(s.treat_missing_data);
  if (!missing.ok()) return missing.status();
  rule.metric = *metric;
  rule.statistic = *statistic;
  rule.comparison = *comparison;
  rule.treat_missing = *missing;
  rule.period = std::chrono::seconds(s.period);
  // Flags and the file are checked as they are read; settings built in code are checked here, so
  // no path leads to a threshold that compares false with every datapoint.
  if (Status st = CheckFiniteSetting("the threshold", s.threshold); !st.ok()) return st;
  rule.threshold = s.threshold;
  rule.evaluation_periods = s.evaluation_periods;
  rule.datapoints_to_alarm =
      s.datapoints_to_alarm > 0 ? s.datapoints_to_alarm : s.evaluation_periods;
  if (Status st = rule.Validate(); !st.ok()) return st;
  return rule;
}

}  // namespace pictor::alarm
