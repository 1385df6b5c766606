// A sample alarm transition (OK -> ALARM on a queue's age) for the tests of notifiers and alarm
// messages, written once so that every suite speaks of the same event.
#ifndef PICTOR_TESTS_FAKES_ALARM_EVENTS_H_
#define PICTOR_TESTS_FAKES_ALARM_EVENTS_H_

#include <chrono>

#include "pictor/notifier.h"

namespace pictor::testing {

inline AlarmEvent SampleAlarmEvent() {
  AlarmEvent e;
  e.alarm = "pictor-queue-age";
  e.queue = "queue.db";
  e.metric = "ApproximateAgeOfOldestMessage";
  e.statistic = "Maximum";
  e.comparison = "GreaterThanThreshold";
  e.old_state = "OK";
  e.new_state = "ALARM";
  e.reason =
      "Threshold Crossed: 2 out of the last 2 datapoints [5.0, 4.0] were greater than the "
      "threshold (3.0) (minimum 2 datapoints for OK -> ALARM transition).";
  e.value = 5;
  e.has_value = true;
  e.threshold = 3;
  e.period_seconds = 60;
  e.evaluation_periods = 2;
  e.datapoints_to_alarm = 2;
  e.datapoints = {5, 4};
  e.time = std::chrono::system_clock::time_point(std::chrono::seconds(1714564800));
  return e;
}

}  // namespace pictor::testing

#endif  // PICTOR_TESTS_FAKES_ALARM_EVENTS_H_
