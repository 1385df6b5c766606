#include "notify/alarm_message.h"

#include <fmt/format.h>

#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>

namespace pictor::notify {
namespace {

std::string Value(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15)
    return fmt::format("{:.1f}", v);
  return fmt::format("{}", v);
}

std::string Time(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

std::string AlarmSubject(const AlarmEvent& e) {
  return fmt::format("{}: \"{}\" on queue {}", e.new_state, e.alarm, e.queue);
}

std::string AlarmText(const AlarmEvent& e) {
  std::string text = fmt::format(
      "Alarm \"{}\" changed from {} to {} at {}.\n\n"
      "Queue:      {}\n"
      "Metric:     {} of {} over {} s\n"
      "Value:      {}\n"
      "Threshold:  {} {} ({} out of {} periods of {} s)\n"
      "Time:       {}\n"
      "Reason:     {}\n",
      e.alarm, e.old_state, e.new_state, Time(e.time), e.queue, e.statistic, e.metric,
      e.period_seconds, e.has_value ? Value(e.value) : "no data", e.comparison, Value(e.threshold),
      e.datapoints_to_alarm, e.evaluation_periods, e.period_seconds, Time(e.time), e.reason);
  if (!e.note.empty()) text += fmt::format("Note:       {}\n", e.note);
  return text;
}

std::string AlarmJson(const AlarmEvent& e) {
  nlohmann::json j;
  j["text"] = AlarmSubject(e) + ": " + e.reason;
  j["alarm"] = e.alarm;
  j["queue"] = e.queue;
  j["metric"] = e.metric;
  j["statistic"] = e.statistic;
  j["comparison"] = e.comparison;
  j["old_state"] = e.old_state;
  j["new_state"] = e.new_state;
  j["reason"] = e.reason;
  j["value"] = e.has_value ? nlohmann::json(e.value) : nlohmann::json(nullptr);
  j["threshold"] = e.threshold;
  j["period_seconds"] = e.period_seconds;
  j["evaluation_periods"] = e.evaluation_periods;
  j["datapoints_to_alarm"] = e.datapoints_to_alarm;
  j["datapoints"] = e.datapoints;
  j["time"] = Time(e.time);
  if (!e.note.empty()) j["note"] = e.note;
  return j.dump();
}

}  // namespace pictor::notify
