// Where an alarm's state and history live, so that a restart neither forgets an ALARM (and
// notifies again) nor loses the record of transitions: a small SQLite file, by default beside
// the SQLite queue ("dir/queue.db" -> "dir/queue.alarm.db").
//
// Thread-safety: thread-safe (one connection guarded by one mutex). Several processes may open
// the same file; SQLite's locking and a busy timeout serialise their writes.
// Errors: an unopenable or damaged file is Unavailable / DataLoss with the path in the message.
#ifndef PICTOR_ALARM_STATE_STORE_H_
#define PICTOR_ALARM_STATE_STORE_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alarm/evaluator.h"
#include "pictor/status.h"

namespace pictor::alarm {

// One recorded transition.
struct HistoryEntry {
  std::string alarm;
  TimePoint time{};
  AlarmState from = AlarmState::kInsufficientData;
  AlarmState to = AlarmState::kInsufficientData;
  std::string reason;
  std::vector<double> datapoints;  // newest first
};

class AlarmStateStore {
 public:
  virtual ~AlarmStateStore() = default;

  // The state last recorded for `alarm`; nullopt for an alarm never seen.
  virtual Result<std::optional<AlarmState>> LoadState(std::string_view alarm) = 0;

  // Records `transition` of `alarm`: the new current state and one history row, atomically.
  virtual Status Record(std::string_view alarm, const AlarmTransition& transition) = 0;

  // Up to `limit` transitions, oldest first; of every alarm when `alarm` is empty.
  virtual Result<std::vector<HistoryEntry>> History(std::string_view alarm, int limit) = 0;
};

// Opens (creating the file and its directory when absent) the store at `path`.
Result<std::unique_ptr<AlarmStateStore>> OpenAlarmStateStore(const std::string& path);

// One line per transition: "2024-05-01T12:00:00Z  pictor-queue-age  OK -> ALARM  [5.0, 4.0]
// Threshold Crossed: ...". "no alarm transitions recorded" when empty.
std::string FormatHistory(const std::vector<HistoryEntry>& entries);

// "2024-05-01T12:00:00Z".
std::string FormatTime(TimePoint time);

}  // namespace pictor::alarm

#endif  // PICTOR_ALARM_STATE_STORE_H_
