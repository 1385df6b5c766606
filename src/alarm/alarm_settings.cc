#include "alarm/alarm_settings.h"

#include <toml++/toml.h>

namespace pictor::alarm {

void AddAlarmOptions(CLI::App& cmd, AlarmSettings& s) {
  cmd.add_option("--alarm-name", s.name, "Name of the alarm (default pictor-queue-age)");
  cmd.add_option("--metric", s.metric,
                 "ApproximateAgeOfOldestMessage (default), ApproximateNumberOfMessagesVisible or "
                 "NumberOfMessagesDeadLettered");
  cmd.add_option("--period", s.period, "Seconds per datapoint (default 60)")
      ->check(CLI::Range(1, 86400));
  cmd.add_option("--statistic", s.statistic,
                 "Maximum (default), Minimum, Average, Sum or SampleCount");
  cmd.add_option("--comparison", s.comparison,
                 "GreaterThanThreshold (default), GreaterThanOrEqualToThreshold, "
                 "LessThanThreshold or LessThanOrEqualToThreshold");
  cmd.add_option("--threshold", s.threshold, "The threshold (default 300)");
  cmd.add_option("--evaluation-periods", s.evaluation_periods,
                 "N: the periods looked at (default 1)")
      ->check(CLI::Range(1, 100));
  cmd.add_option("--datapoints-to-alarm", s.datapoints_to_alarm,
                 "M: breaching datapoints out of N that raise the alarm (default N)")
      ->check(CLI::Range(1, 100));
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
  std::optional<T> v;
  if constexpr (std::is_same_v<T, double>) {
    if (auto d = node->value<double>()) v = *d;  // integers convert too
  } else if constexpr (std::is_same_v<T, int>) {
    if (auto i = node->value<int64_t>()) v = static_cast<int>(*i);
  } else {
    v = node->value<T>();
  }
  if (!v) {
    return Status::InvalidArgument(file + ": '" + std::string(key) + "' has the wrong type");
  }
  out = *v;
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
           Take(t, cmd, "period", "--period", s.period, f),
           Take(t, cmd, "statistic", "--statistic", s.statistic, f),
           Take(t, cmd, "comparison_operator", "--comparison", s.comparison, f),
           Take(t, cmd, "threshold", "--threshold", s.threshold, f),
           Take(t, cmd, "age_threshold", "--threshold", s.threshold, f),
           Take(t, cmd, "evaluation_periods", "--evaluation-periods", s.evaluation_periods, f),
           Take(t, cmd, "datapoints_to_alarm", "--datapoints-to-alarm", s.datapoints_to_alarm, f),
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
  rule.threshold = s.threshold;
  rule.evaluation_periods = s.evaluation_periods;
  rule.datapoints_to_alarm =
      s.datapoints_to_alarm > 0 ? s.datapoints_to_alarm : s.evaluation_periods;
  if (Status st = rule.Validate(); !st.ok()) return st;
  return rule;
}

}  // namespace pictor::alarm
