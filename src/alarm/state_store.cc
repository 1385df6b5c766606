#include "alarm/state_store.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>

#include "sqlite/status.h"

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

// A prepared statement, finalized on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  bool ok() const { return rc_ == SQLITE_OK; }
  sqlite3_stmt* get() const { return stmt_; }
  void Bind(int i, std::string_view text) {
    sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void Bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  std::string Text(int i) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
    return p ? p : "";
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_OK;
};

class SqliteAlarmStateStore final : public AlarmStateStore {
 public:
  SqliteAlarmStateStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteAlarmStateStore() override { sqlite3_close(db_); }

  Result<std::optional<AlarmState>> LoadState(std::string_view alarm) override {
    std::lock_guard lock(db_mutex_);
    Statement st(db_, "SELECT state FROM alarm_state WHERE alarm = ?");
    if (!st.ok()) return Error("read alarm state");
    st.Bind(1, alarm);
    int rc = sqlite3_step(st.get());
    if (rc == SQLITE_DONE) return std::optional<AlarmState>();
    if (rc != SQLITE_ROW) return Error("read alarm state");
    auto state = ParseState(st.Text(0));
    if (!state.ok()) return Status::DataLoss(path_ + ": unknown alarm state '" + st.Text(0) + "'");
    return std::optional<AlarmState>(*state);
  }

  Status Record(std::string_view alarm, const AlarmTransition& t) override {
    std::lock_guard lock(db_mutex_);
    if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
      return Error("record alarm transition");
    }
    Status s = RecordLocked(alarm, t);
    sqlite3_exec(db_, s.ok() ? "COMMIT" : "ROLLBACK", nullptr, nullptr, nullptr);
    return s;
  }

  Result<std::vector<HistoryEntry>> History(std::string_view alarm, int limit) override {
    std::lock_guard lock(db_mutex_);
    Statement st(db_,
                 "SELECT alarm, time_ms, old_state, new_state, reason, datapoints FROM ("
                 " SELECT * FROM alarm_history WHERE ?1 = '' OR alarm = ?1"
                 " ORDER BY id DESC LIMIT ?2) ORDER BY id");
    if (!st.ok()) return Error("read alarm history");
    st.Bind(1, alarm);
    st.Bind(2, static_cast<int64_t>(limit));
    std::vector<HistoryEntry> out;
    int rc;
    while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
      HistoryEntry e;
      e.alarm = st.Text(0);
      e.time = TimePoint(std::chrono::duration_cast<TimePoint::duration>(
          std::chrono::milliseconds(sqlite3_column_int64(st.get(), 1))));
      auto from = ParseState(st.Text(2));
      auto to = ParseState(st.Text(3));
      if (!from.ok() || !to.ok()) return Status::DataLoss(path_ + ": unknown alarm state");
      e.from = *from;
      e.to = *to;
      e.reason = st.Text(4);
      auto points = nlohmann::json::parse(st.Text(5), nullptr, false);
      if (points.is_array()) {
        for (const auto& p : points) {
          if (p.is_number()) e.datapoints.push_back(p.get<double>());
        }
      }
      out.push_back(std::move(e));
    }
    if (rc != SQLITE_DONE) return Error("read alarm history");
    return out;
  }

 private:
  Status RecordLocked(std::string_view alarm, const AlarmTransition& t) {
    Statement up(db_,
                 "INSERT INTO alarm_state(alarm, state, updated_ms, reason) VALUES(?, ?, ?, ?)"
                 " ON CONFLICT(alarm) DO UPDATE SET state = excluded.state,"
                 " updated_ms = excluded.updated_ms, reason = excluded.reason");
    if (!up.ok()) return Error("record alarm state");
    up.Bind(1, alarm);
    up.Bind(2, StateName(t.to));
    up.Bind(3, ToMillis(t.time));
    up.Bind(4, t.reason);
    if (sqlite3_step(up.get()) != SQLITE_DONE) return Error("record alarm state");

    Statement hist(db_,
                   "INSERT INTO alarm_history(alarm, time_ms, old_state, new_state, reason,"
                   " datapoints) VALUES(?, ?, ?, ?, ?, ?)");
    if (!hist.ok()) return Error("record alarm history");
    hist.Bind(1, alarm);
    hist.Bind(2, ToMillis(t.time));
    hist.Bind(3, StateName(t.from));
    hist.Bind(4, StateName(t.to));
    hist.Bind(5, t.reason);
    hist.Bind(6, nlohmann::json(t.datapoints).dump());
    if (sqlite3_step(hist.get()) != SQLITE_DONE) return Error("record alarm history");
    return Status::Ok();
  }

  // SQLite errors become a Status through the one shared translation (sqlite/status.h).
  Status Error(std::string_view what) const {
    return sqlite::FromSqlite(db_, sqlite3_errcode(db_), fmt::format("{}: {}", path_, what));
  }

  std::mutex db_mutex_;  // guards db_
  sqlite3* db_;
  const std::string path_;
};

}  // namespace

Result<std::unique_ptr<AlarmStateStore>> OpenAlarmStateStore(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    Status status = sqlite::FromSqlite(db, rc, path + ": cannot open alarm state");
    sqlite3_close(db);
    return status;
  }
  sqlite3_busy_timeout(db, 5000);
  char* err = nullptr;
  if (sqlite3_exec(db, "PRAGMA journal_mode=WAL;", nullptr, nullptr, nullptr) != SQLITE_OK ||
      sqlite3_exec(db, kSchema, nullptr, nullptr, &err) != SQLITE_OK) {
    const int code = sqlite3_extended_errcode(db);
    Status status = sqlite::FromSqlite(code, path + ": cannot prepare alarm state",
                                       err != nullptr ? err : sqlite3_errmsg(db));
    sqlite3_free(err);
    sqlite3_close(db);
    return status;
  }
  return std::unique_ptr<AlarmStateStore>(std::make_unique<SqliteAlarmStateStore>(db, path));
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
