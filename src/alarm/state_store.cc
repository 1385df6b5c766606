#include "alarm/state_store.h"

#include <fmt/format.h>

#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>

#include "sqlite/connection.h"

namespace pictor::alarm {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS alarm_state (
  alarm TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  updated_ms INTEGER NOT NULL,
  reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS alarm_history (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  alarm TEXT NOT NULL,
  time_ms INTEGER NOT NULL,
  old_state TEXT NOT NULL,
  new_state TEXT NOT NULL,
  reason TEXT NOT NULL,
  datapoints TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alarm_history_by_alarm ON alarm_history(alarm, id);
)sql";

int64_t ToMillis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

class SqliteAlarmStateStore final : public AlarmStateStore {
 public:
  explicit SqliteAlarmStateStore(std::unique_ptr<sqlite::Connection> db) : db_(std::move(db)) {}

  Result<std::optional<AlarmState>> LoadState(std::string_view alarm) override {
    std::lock_guard lock(db_mutex_);
    auto st = db_->Prepare("SELECT state FROM alarm_state WHERE alarm = ?");
    if (!st.ok()) return Context(st.status(), "read alarm state");
    auto row = st->Bind(1, alarm).Step();
    if (!row.ok()) return Context(row.status(), "read alarm state");
    if (!*row) return std::optional<AlarmState>();
    auto state = ParseState(st->Text(0));
    if (!state.ok()) {
      return Status::DataLoss(db_->path() + ": unknown alarm state '" + st->Text(0) + "'");
    }
    return std::optional<AlarmState>(*state);
  }

  Status Record(std::string_view alarm, const AlarmTransition& t) override {
    std::lock_guard lock(db_mutex_);
    auto transaction = db_->Begin();
    if (!transaction.ok()) return Context(transaction.status(), "record alarm transition");
    if (Status s = RecordLocked(alarm, t); !s.ok()) return s;  // rolled back by the guard
    return Context(transaction->Commit(), "record alarm transition");
  }

  Result<std::vector<HistoryEntry>> History(std::string_view alarm, int limit) override {
    std::lock_guard lock(db_mutex_);
    auto st = db_->Prepare(
        "SELECT alarm, time_ms, old_state, new_state, reason, datapoints FROM ("
        " SELECT * FROM alarm_history WHERE ?1 = '' OR alarm = ?1"
        " ORDER BY id DESC LIMIT ?2) ORDER BY id");
    if (!st.ok()) return Context(st.status(), "read alarm history");
    st->Bind(1, alarm).Bind(2, static_cast<int64_t>(limit));
    std::vector<HistoryEntry> out;
    for (;;) {
      auto row = st->Step();
      if (!row.ok()) return Context(row.status(), "read alarm history");
      if (!*row) break;
      HistoryEntry e;
      e.alarm = st->Text(0);
      e.time = TimePoint(
          std::chrono::duration_cast<TimePoint::duration>(std::chrono::milliseconds(st->Int(1))));
      auto from = ParseState(st->Text(2));
      auto to = ParseState(st->Text(3));
      if (!from.ok() || !to.ok()) return Status::DataLoss(db_->path() + ": unknown alarm state");
      e.from = *from;
      e.to = *to;
      e.reason = st->Text(4);
      auto points = nlohmann::json::parse(st->Text(5), nullptr, false);
      if (points.is_array()) {
        for (const auto& p : points) {
          if (p.is_number()) e.datapoints.push_back(p.get<double>());
        }
      }
      out.push_back(std::move(e));
    }
    return out;
  }

 private:
  Status RecordLocked(std::string_view alarm, const AlarmTransition& t) {
    auto up = db_->Prepare(
        "INSERT INTO alarm_state(alarm, state, updated_ms, reason) VALUES(?, ?, ?, ?)"
        " ON CONFLICT(alarm) DO UPDATE SET state = excluded.state,"
        " updated_ms = excluded.updated_ms, reason = excluded.reason");
    if (!up.ok()) return Context(up.status(), "record alarm state");
    up->Bind(1, alarm).Bind(2, StateName(t.to)).Bind(3, ToMillis(t.time)).Bind(4, t.reason);
    if (Status s = up->Run(); !s.ok()) return Context(s, "record alarm state");

    auto hist = db_->Prepare(
        "INSERT INTO alarm_history(alarm, time_ms, old_state, new_state, reason,"
        " datapoints) VALUES(?, ?, ?, ?, ?, ?)");
    if (!hist.ok()) return Context(hist.status(), "record alarm history");
    hist->Bind(1, alarm).Bind(2, ToMillis(t.time)).Bind(3, StateName(t.from));
    hist->Bind(4, StateName(t.to)).Bind(5, t.reason).Bind(6, nlohmann::json(t.datapoints).dump());
    return Context(hist->Run(), "record alarm history");
  }

  // "<path>: <what>: alarm state: <SQLite's reason>".
  Status Context(const Status& status, std::string_view what) const {
    return status.WithContext(fmt::format("{}: {}", db_->path(), what));
  }

  std::mutex db_mutex_;  // guards db_
  std::unique_ptr<sqlite::Connection> db_;
};

}  // namespace

Result<std::unique_ptr<AlarmStateStore>> OpenAlarmStateStore(const std::string& path) {
  sqlite::ConnectionOptions options;
  options.name = "alarm state";
  // A transition is written rarely, and one lost to a power failure would notify again after
  // the restart: an fsync per commit costs nothing here. For the same reason SQLite's own
  // checkpoints (checkpoint_in_background off) never stall anyone.
  options.sync_every_commit = true;
  auto db = sqlite::Connection::Open(path, options);
  if (!db.ok()) return db.status();
  if (Status s = (*db)->Exec(kSchema); !s.ok()) return s.WithContext(path);
  return std::unique_ptr<AlarmStateStore>(
      std::make_unique<SqliteAlarmStateStore>(std::move(db).value()));
}

std::string FormatTime(TimePoint time) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string FormatHistory(const std::vector<HistoryEntry>& entries) {
  if (entries.empty()) return "no alarm transitions recorded\n";
  std::string out;
  for (const auto& e : entries) {
    std::string points = "[";
    for (size_t i = 0; i < e.datapoints.size(); ++i) {
      points += (i ? ", " : "") + FormatValue(e.datapoints[i]);
    }
    points += "]";
    out += fmt::format("{}  {}  {} -> {}  {}  {}\n", FormatTime(e.time), e.alarm, StateName(e.from),
                       StateName(e.to), points, e.reason);
  }
  return out;
}

}  // namespace pictor::alarm
