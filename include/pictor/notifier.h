// Notifier: the port through which an alarm tells people that its state changed (email over
// SMTP, an SNS topic, a webhook).
#ifndef PICTOR_NOTIFIER_H_
#define PICTOR_NOTIFIER_H_

#include <chrono>
#include <string>
#include <vector>

#include "pictor/status.h"

namespace pictor {

// One alarm state change, with everything a message about it needs. States are CloudWatch's
// names: "OK", "ALARM", "INSUFFICIENT_DATA".
struct AlarmEvent {
  std::string alarm;       // "pictor-queue-age"
  std::string queue;       // the queue's name ("queue.db", "prompts")
  std::string metric;      // "ApproximateAgeOfOldestMessage"
  std::string statistic;   // "Maximum"
  std::string comparison;  // "GreaterThanThreshold"
  std::string old_state;
  std::string new_state;
  std::string reason;  // "Threshold Crossed: 2 out of the last 2 datapoints [5.0, 4.0] were ..."
  double value = 0;    // the newest datapoint (0 when none)
  bool has_value = false;
  double threshold = 0;
  int period_seconds = 60;
  int evaluation_periods = 1;
  int datapoints_to_alarm = 1;
  std::vector<double> datapoints;  // newest first
  std::chrono::system_clock::time_point time{};
  std::string note;  // e.g. why the metric is a stand-in; may be empty
};

// Delivers alarm events to one destination.
//
// Thread-safety: implementations are thread-safe. Notify makes one delivery attempt bounded by
// a timeout (retries belong to the caller, see notify/delivery_queue.h).
// Errors: Unavailable / DeadlineExceeded / ResourceExhausted for failures worth retrying,
// InvalidArgument / PermissionDenied for a destination that will never accept. Messages never
// carry a password, secret or token.
class Notifier {
 public:
  Notifier() = default;
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;
  virtual ~Notifier() = default;

  virtual Status Notify(const AlarmEvent& event) = 0;

  // Where notifications go, safe to log: "smtp://mail:25 to ops@example.com", "webhook
  // https://hooks.example.com/...". Never a secret.
  virtual std::string Describe() const = 0;
};

}  // namespace pictor

#endif  // PICTOR_NOTIFIER_H_
