// The SQLite JobLedger. Kept in one file although it is long: the schema, its migrations, the
// group commit and every query share one connection, its locks and the column order, which
// splitting would have to expose.
#include "ledger/sqlite/sqlite_ledger.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "core/job_cursor.h"
#include "sqlite/connection.h"
#include "sqlite/wal_checkpointer.h"

namespace pictor {
namespace {

using sqlite::Connection;
using sqlite::Statement;
using sqlite::WalCheckpointer;

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS jobs ("
    " id TEXT PRIMARY KEY, state INTEGER NOT NULL, prompt TEXT NOT NULL,"
    " seed INTEGER NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL,"
    " key TEXT NOT NULL, error TEXT NOT NULL, attempts INTEGER NOT NULL,"
    " created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,"
    " idempotency_key TEXT, request_digest TEXT NOT NULL,"
    " enqueued INTEGER NOT NULL DEFAULT 0, owner TEXT NOT NULL DEFAULT '',"
    " model TEXT NOT NULL DEFAULT '', cost_micro_usd INTEGER NOT NULL DEFAULT 0,"
    " negative_prompt TEXT NOT NULL DEFAULT '', started_ms INTEGER NOT NULL DEFAULT 0,"
    " finished_ms INTEGER NOT NULL DEFAULT 0, generation_ms INTEGER NOT NULL DEFAULT 0,"
    " cancel_requested INTEGER NOT NULL DEFAULT 0, webhook_url TEXT NOT NULL DEFAULT '',"
    " webhook_state TEXT NOT NULL DEFAULT '', webhook_attempts INTEGER NOT NULL DEFAULT 0,"
    " webhook_status INTEGER NOT NULL DEFAULT 0, webhook_last_ms INTEGER NOT NULL DEFAULT 0,"
    " webhook_error TEXT NOT NULL DEFAULT '');"
    "CREATE UNIQUE INDEX IF NOT EXISTS jobs_idempotency ON jobs(idempotency_key)"
    " WHERE idempotency_key IS NOT NULL;";

// The columns added since the first schema, with what files written before them read as: jobs
// never marked enqueued (a replay of one still queued sends its message again, which is
// harmless), without owner or model (made before keys and model choice existed), costing 0,
// with empty texts, zero times, never cancelled and without webhook.
constexpr std::pair<const char*, const char*> kAddedColumns[] = {
    {"enqueued", "INTEGER NOT NULL DEFAULT 0"},
    {"owner", "TEXT NOT NULL DEFAULT ''"},
    {"model", "TEXT NOT NULL DEFAULT ''"},
    {"cost_micro_usd", "INTEGER NOT NULL DEFAULT 0"},
    {"negative_prompt", "TEXT NOT NULL DEFAULT ''"},
    {"started_ms", "INTEGER NOT NULL DEFAULT 0"},
    {"finished_ms", "INTEGER NOT NULL DEFAULT 0"},
    {"generation_ms", "INTEGER NOT NULL DEFAULT 0"},
    {"cancel_requested", "INTEGER NOT NULL DEFAULT 0"},
    {"webhook_url", "TEXT NOT NULL DEFAULT ''"},
    {"webhook_state", "TEXT NOT NULL DEFAULT ''"},
    {"webhook_attempts", "INTEGER NOT NULL DEFAULT 0"},
    {"webhook_status", "INTEGER NOT NULL DEFAULT 0"},
    {"webhook_last_ms", "INTEGER NOT NULL DEFAULT 0"},
    {"webhook_error", "TEXT NOT NULL DEFAULT ''"},
};

// List's order, and its filters' leading columns, so a page is a seek and a scan of `limit` rows
// whatever the filter and however deep the cursor. Created after kAddedColumns (they index
// owner).
constexpr const char* kListIndexes =
    "CREATE INDEX IF NOT EXISTS jobs_newest ON jobs(created_ms DESC, id);"
    "CREATE INDEX IF NOT EXISTS jobs_owner_newest ON jobs(owner, created_ms DESC, id);"
    "CREATE INDEX IF NOT EXISTS jobs_state_newest ON jobs(state, created_ms DESC, id);";

// Every statement names the columns in this order; Write binds and Query reads them so.
#define PICTOR_LEDGER_COLUMNS                                                                  \
  "id, state, prompt, seed, width, height, key, error, attempts, created_ms, updated_ms, "     \
  "idempotency_key, request_digest, enqueued, owner, model, cost_micro_usd, negative_prompt, " \
  "started_ms, finished_ms, generation_ms, cancel_requested, webhook_url, webhook_state, "     \
  "webhook_attempts, webhook_status, webhook_last_ms, webhook_error"
#define PICTOR_LEDGER_VALUES " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
constexpr const char* kInsert = "INSERT INTO jobs (" PICTOR_LEDGER_COLUMNS ")" PICTOR_LEDGER_VALUES;
// The creation's facts (created_ms, idempotency key, request digest, owner, webhook URL) are
// known to the creating process alone. A worker in another process may take the job's message
// before that process's group commit has written the creation (FlushLoop) and record the job
// without them: neither its Put nor the late creation may lose them. Each is kept from whichever
// write has it, and the job was created at the earlier of the two times.
//
// A creation the group commit writes late: a worker's later state of the job stands, and only
// the creation's facts it lacks are filled in.
constexpr const char* kInsertMissing =
    "INSERT INTO jobs (" PICTOR_LEDGER_COLUMNS ")" PICTOR_LEDGER_VALUES
    " ON CONFLICT(id) DO UPDATE SET"
    " created_ms = CASE WHEN excluded.created_ms > 0 AND"
    " (jobs.created_ms = 0 OR excluded.created_ms < jobs.created_ms)"
    " THEN excluded.created_ms ELSE jobs.created_ms END,"
    " idempotency_key = coalesce(jobs.idempotency_key, excluded.idempotency_key),"
    " request_digest = coalesce(nullif(jobs.request_digest, ''), excluded.request_digest),"
    " owner = coalesce(nullif(jobs.owner, ''), excluded.owner),"
    " webhook_url = coalesce(nullif(jobs.webhook_url, ''), excluded.webhook_url)";
// Put: every column as given but cancel_requested, which a Put never clears (JobLedger::Put),
// and the creation's facts, which it never clears either.
constexpr const char* kUpsert =
    "INSERT INTO jobs (" PICTOR_LEDGER_COLUMNS ")" PICTOR_LEDGER_VALUES
    " ON CONFLICT(id) DO UPDATE SET state = excluded.state, prompt = excluded.prompt,"
    " seed = excluded.seed, width = excluded.width, height = excluded.height, key = excluded.key,"
    " error = excluded.error, attempts = excluded.attempts, updated_ms = excluded.updated_ms,"
    " enqueued = excluded.enqueued, model = excluded.model,"
    " cost_micro_usd = excluded.cost_micro_usd, negative_prompt = excluded.negative_prompt,"
    " started_ms = excluded.started_ms, finished_ms = excluded.finished_ms,"
    " generation_ms = excluded.generation_ms,"
    " cancel_requested = max(jobs.cancel_requested, excluded.cancel_requested),"
    " webhook_state = excluded.webhook_state, webhook_attempts = excluded.webhook_attempts,"
    " webhook_status = excluded.webhook_status, webhook_last_ms = excluded.webhook_last_ms,"
    " webhook_error = excluded.webhook_error,"
    " created_ms = CASE WHEN jobs.created_ms > 0 AND"
    " (excluded.created_ms = 0 OR jobs.created_ms < excluded.created_ms)"
    " THEN jobs.created_ms ELSE excluded.created_ms END,"
    " idempotency_key = coalesce(excluded.idempotency_key, jobs.idempotency_key),"
    " request_digest = coalesce(nullif(excluded.request_digest, ''), jobs.request_digest),"
    " owner = coalesce(nullif(excluded.owner, ''), jobs.owner),"
    " webhook_url = coalesce(nullif(excluded.webhook_url, ''), jobs.webhook_url)";
constexpr const char* kGet = "SELECT " PICTOR_LEDGER_COLUMNS " FROM jobs WHERE id = ?";
constexpr const char* kByKey =
    "SELECT " PICTOR_LEDGER_COLUMNS " FROM jobs WHERE idempotency_key = ?";
// List's SELECT, to which the filters and the order are appended (ListSql).
constexpr const char* kListSelect = "SELECT " PICTOR_LEDGER_COLUMNS " FROM jobs WHERE 1";
#undef PICTOR_LEDGER_VALUES
#undef PICTOR_LEDGER_COLUMNS
constexpr const char* kRemove = "DELETE FROM jobs WHERE id = ?";
constexpr const char* kMark = "UPDATE jobs SET enqueued = 1 WHERE id = ?";
constexpr const char* kCancel = "UPDATE jobs SET cancel_requested = 1 WHERE id = ?";
constexpr const char* kSetWebhook =
    "UPDATE jobs SET webhook_state = ?2, webhook_attempts = ?3, webhook_status = ?4,"
    " webhook_last_ms = ?5, webhook_error = ?6 WHERE id = ?1";

// cost_usd is kept in whole micro-dollars: exact sums, and list prices have at most 4 decimals.
int64_t ToMicroUsd(double usd) {
  if (!(usd > 0)) return 0;  // also NaN
  if (usd > 1e12) return int64_t{1000000000000} * 1000000;
  return std::llround(usd * 1e6);
}

// The statement List runs for `query`: parameters ?1 owner, ?2 state, ?3 and ?4 the cursor's
// created_ms and id, ?5 the row count. The cursor's terms keep a range on created_ms (a seek in
// the index) rather than one OR the planner would have to scan.
std::string ListSql(const JobQuery& query, bool has_cursor) {
  std::string sql = kListSelect;
  if (!query.owner.empty()) sql += " AND owner = ?1";
  // The state as ApplyCancellation reads it: a queued job whose cancellation was requested is
  // cancelled, not queued.
  if (query.state == JobState::kCancelled) {
    sql += " AND (state = ?2 OR (state = 0 AND cancel_requested = 1))";
  } else if (query.state == JobState::kQueued) {
    sql += " AND state = ?2 AND cancel_requested = 0";
  } else if (query.state) {
    sql += " AND state = ?2";
  }
  if (has_cursor) sql += " AND created_ms <= ?3 AND (created_ms < ?3 OR id > ?4)";
  sql += " ORDER BY created_ms DESC, id LIMIT ?5";
  return sql;
}

class SqliteLedger final : public JobLedger {
 public:
  explicit SqliteLedger(std::unique_ptr<Connection> db) : db_(std::move(db)) {}

  // Writes what is still pending, then closes (db_, after the members that use it).
  ~SqliteLedger() override {
    {
      std::lock_guard lock(pending_mu_);
      stopping_ = true;
    }
    pending_cv_.notify_all();
    if (flusher_.joinable()) flusher_.join();
    FlushPending();
    checkpointer_.reset();  // its thread locks db_mu_
  }

  // The schema (upgraded in one write transaction, so processes opening an old file at once
  // do not race), then the checkpointer and the group-commit thread.
  Status Start() {
    if (Status s = db_->InTransaction([&] { return PrepareSchema(); }); !s.ok()) return s;
    auto checkpointer = WalCheckpointer::Start(db_->path(), [this](const auto& work) {
      std::lock_guard lock(db_mu_);
      work();
    });
    if (!checkpointer.ok()) return checkpointer.status();
    checkpointer_ = std::move(checkpointer).value();
    flusher_ = std::thread([this] { FlushLoop(); });
    return Status::Ok();
  }

  Result<CreateResult> Create(const JobRecord& record) override {
    if (record.idempotency_key.empty()) {
      // Nothing to look up: the record joins the next group commit (see FlushLoop).
      {
        std::lock_guard lock(pending_mu_);
        pending_[record.id] = record;
      }
      pending_cv_.notify_one();
      return CreateResult{record, true};
    }
    std::lock_guard lock(db_mu_);
    auto existing = Query(kByKey, record.idempotency_key);
    if (existing.ok()) return CreateResult{WithPendingMark(std::move(existing).value()), false};
    if (!existing.status().IsNotFound()) return existing.status();
    Status written = Write(kInsert, record);
    if (written.code() == StatusCode::kAlreadyExists) {
      // Another process inserted the same key between the lookup and the insert.
      auto theirs = Query(kByKey, record.idempotency_key);
      if (theirs.ok()) return CreateResult{WithPendingMark(std::move(theirs).value()), false};
      return theirs.status();
    }
    if (!written.ok()) return written.WithContext("recording job " + record.id);
    return CreateResult{record, true};
  }

  Result<JobRecord> Get(std::string_view id) override {
    {
      std::lock_guard lock(pending_mu_);
      auto it = pending_.find(id);
      if (it != pending_.end()) return ApplyCancellation(it->second);
      it = flushing_.find(id);  // taken by the flusher, perhaps not yet committed
      if (it != flushing_.end()) return ApplyCancellation(it->second);
    }
    std::lock_guard lock(db_mu_);
    auto record = Query(kGet, id);
    if (!record.ok()) return record;
    return WithPendingMark(std::move(record).value());
  }

  // A later state replaces a pending creation outright, once it is written: forgotten before,
  // the job would be in neither place for a moment (a Get would answer NotFound), and a failed
  // write would lose the creation too.
  Status Put(const JobRecord& record) override {
    std::lock_guard lock(db_mu_);
    if (Status s = Write(kUpsert, record); !s.ok()) {
      return s.WithContext("updating job " + record.id);
    }
    std::lock_guard pending_lock(pending_mu_);
    pending_.erase(record.id);
    flushing_.erase(record.id);  // the flusher's copy only inserts a missing row
    return Status::Ok();
  }

  Status Remove(std::string_view id) override {
    // A batch being written is waited out: removed from the file before the flusher inserts
    // it, a creation would come back.
    std::lock_guard flushing(flush_mu_);
    {
      std::lock_guard lock(pending_mu_);
      auto it = pending_.find(id);
      if (it != pending_.end()) {
        pending_.erase(it);
        return Status::Ok();
      }
    }
    std::lock_guard lock(db_mu_);
    auto remove = db_->Prepare(kRemove);
    if (!remove.ok()) return remove.status();
    return remove->Bind(1, id).Run().WithContext("removing job");
  }

  // The rows of the file merged with the creations the group commit still holds, so a job Create
  // accepted is listed at once, without List writing anything. flush_mu_ waits out a batch the
  // flusher thread has taken but not yet written, which would otherwise be in neither place.
  // One row more than the limit is read to tell whether a next page exists.
  Result<JobPage> List(const JobQuery& query) override {
    auto cursor = CheckJobQuery(query);
    if (!cursor.ok()) return cursor.status();
    std::lock_guard flushing(flush_mu_);
    std::vector<JobRecord> jobs = PendingMatching(query, *cursor);
    {
      std::lock_guard lock(db_mu_);
      auto list = db_->Prepare(ListSql(query, cursor->has_value()));
      if (!list.ok()) return list.status();
      if (!query.owner.empty()) list->Bind(1, query.owner);
      if (query.state) list->Bind(2, static_cast<int64_t>(*query.state));
      if (*cursor) list->Bind(3, (*cursor)->created_ms).Bind(4, (*cursor)->id);
      list->Bind(5, int64_t{query.limit} + 1);
      const size_t pending = jobs.size();
      for (;;) {
        auto row = list->Step();
        if (!row.ok()) return row.status().WithContext("listing jobs");
        if (!*row) break;
        JobRecord record = WithPendingMark(RecordOf(*list));
        // A row another process wrote for a job still pending here is the later state.
        auto same = std::find_if(jobs.begin(), jobs.begin() + static_cast<ptrdiff_t>(pending),
                                 [&](const JobRecord& j) { return j.id == record.id; });
        if (same != jobs.begin() + static_cast<ptrdiff_t>(pending)) {
          *same = std::move(record);
        } else {
          jobs.push_back(std::move(record));
        }
      }
    }
    std::sort(jobs.begin(), jobs.end(), ListedBefore);
    JobPage page;
    if (jobs.size() > static_cast<size_t>(query.limit)) {
      jobs.resize(static_cast<size_t>(query.limit));
      page.next_cursor = EncodeJobCursor(jobs.back().created_ms, jobs.back().id);
    }
    page.jobs = std::move(jobs);
    return page;
  }

  Result<JobRecord> RequestCancel(std::string_view id) override {
    std::lock_guard flushing(flush_mu_);  // a batch being written is in neither place
    std::lock_guard lock(db_mu_);
    if (Status s = WritePendingNow(id); !s.ok()) return s;
    auto cancel = db_->Prepare(kCancel);
    if (!cancel.ok()) return cancel.status();
    if (Status s = cancel->Bind(1, id).Run(); !s.ok()) return s.WithContext("cancelling job");
    auto record = Query(kGet, id);
    if (!record.ok()) return record;
    return WithPendingMark(std::move(record).value());
  }

  Status SetWebhookDelivery(std::string_view id, const WebhookDelivery& d) override {
    std::lock_guard flushing(flush_mu_);
    std::lock_guard lock(db_mu_);
    if (Status s = WritePendingNow(id); !s.ok()) return s;
    if (Status s = Query(kGet, id).status(); !s.ok()) return s;
    auto update = db_->Prepare(kSetWebhook);
    if (!update.ok()) return update.status();
    update->Bind(1, id).Bind(2, d.state).Bind(3, d.attempts).Bind(4, d.last_status);
    update->Bind(5, d.last_attempt_ms).Bind(6, d.last_error);
    return update->Run().WithContext("recording the webhook delivery of job " + std::string(id));
  }

  // The mark joins the next group commit: losing it in a crash costs one duplicate message.
  Status MarkEnqueued(const JobRecord& record) override {
    {
      std::lock_guard lock(pending_mu_);
      auto it = pending_.find(record.id);
      if (it != pending_.end()) {
        it->second.enqueued = true;
        return Status::Ok();
      }
      if (record.idempotency_key.empty()) return Status::Ok();  // never replayed
      marks_.insert(record.id);
    }
    pending_cv_.notify_one();
    return Status::Ok();
  }

 private:
  // Files written before a column of kAddedColumns existed get it, with its default.
  Status PrepareSchema() {
    if (Status s = db_->Exec(kSchema); !s.ok()) return s;
    for (const auto& [column, type] : kAddedColumns) {
      auto has = db_->HasColumn("jobs", column);
      if (!has.ok()) return has.status();
      if (*has) continue;
      const std::string add = std::string("ALTER TABLE jobs ADD COLUMN ") + column + " " + type;
      if (Status s = db_->Exec(add); !s.ok()) return s;
    }
    return db_->Exec(kListIndexes);
  }

  // The pending creations List's query matches (filters and cursor), at most limit + 1 of them:
  // more could never reach the page.
  std::vector<JobRecord> PendingMatching(const JobQuery& query,
                                         const std::optional<JobCursor>& cursor) {
    std::vector<JobRecord> out;
    std::lock_guard lock(pending_mu_);
    for (const auto& [id, record] : pending_) {
      if (!query.owner.empty() && record.owner != query.owner) continue;
      if (query.state && record.state != *query.state) continue;
      if (cursor && !IsAfterCursor(*cursor, record.created_ms, record.id)) continue;
      out.push_back(record);
      out.back().enqueued = out.back().enqueued || marks_.count(id) > 0;
    }
    std::sort(out.begin(), out.end(), ListedBefore);
    if (out.size() > static_cast<size_t>(query.limit) + 1) {
      out.resize(static_cast<size_t>(query.limit) + 1);
    }
    return out;
  }

  // Writes the creation of job `id` now if the group commit still holds it, so that an update
  // of its row finds it (and is as durable as the job). Called with db_mu_ held.
  Status WritePendingNow(std::string_view id) {
    std::optional<JobRecord> pending;
    {
      std::lock_guard lock(pending_mu_);
      auto it = pending_.find(id);
      if (it == pending_.end()) return Status::Ok();
      pending = it->second;
      pending->enqueued = pending->enqueued || marks_.count(pending->id) > 0;
    }
    if (Status s = Write(kInsertMissing, *pending); !s.ok()) {
      return s.WithContext("recording job " + pending->id);
    }
    std::lock_guard lock(pending_mu_);
    pending_.erase(pending->id);
    return Status::Ok();
  }

  JobRecord WithPendingMark(JobRecord record) {
    if (!record.enqueued) {
      std::lock_guard lock(pending_mu_);
      record.enqueued = marks_.count(record.id) > 0;
    }
    return record;
  }

  // Group commit of records created without an idempotency key: POST /jobs answers as soon as
  // the message is on the queue, and the records of many requests share one transaction a
  // few milliseconds later. Until then Get() finds them here. A crash in that window loses
  // only the "queued" record: the message is safe in the queue, and the worker that takes it
  // records the job again.
  void FlushLoop() {
    std::unique_lock lock(pending_mu_);
    while (!stopping_) {
      pending_cv_.wait(lock, [&] { return stopping_ || !pending_.empty() || !marks_.empty(); });
      if (stopping_) break;
      // Let a few more requests join the batch.
      pending_cv_.wait_for(lock, kGroupCommitWindow, [&] { return stopping_; });
      lock.unlock();
      FlushPending();
      lock.lock();
    }
  }

  void FlushPending() {
    // Held until the batch is written: List, which reads pending_ and then the file, must not run
    // while a batch is in neither.
    std::lock_guard flushing(flush_mu_);
    std::map<std::string, JobRecord, std::less<>> batch;
    std::set<std::string, std::less<>> marks;
    {
      std::lock_guard lock(pending_mu_);
      flushing_.swap(pending_);  // Get finds them there until they are committed
      batch = flushing_;         // Put may drop flushing_'s entries meanwhile
      marks = marks_;            // cleared once written, so Get never misses a mark meanwhile
    }
    if (batch.empty() && marks.empty()) return;
    std::lock_guard lock(db_mu_);
    // Without the write lock (another process held it past the busy timeout) each record is
    // still tried on its own.
    auto transaction = db_->Begin();
    if (!transaction.ok()) {
      spdlog::warn("job ledger: writing {} job records without a transaction: {}", batch.size(),
                   transaction.status().message());
    }
    for (const auto& [id, record] : batch) {
      if (Status s = Write(kInsertMissing, record); !s.ok()) {
        spdlog::error("job ledger: recording job {} failed: {}", id, s.message());
      }
    }
    for (const std::string& id : marks) {
      auto mark = db_->Prepare(kMark);
      Status s = mark.ok() ? mark->Bind(1, id).Run() : mark.status();
      if (!s.ok()) spdlog::error("job ledger: marking job {} enqueued failed: {}", id, s.message());
    }
    if (transaction.ok()) {
      // A failed commit is rolled back when the guard goes away.
      if (Status s = transaction->Commit(); !s.ok()) {
        spdlog::error("job ledger: committing {} job records failed: {}", batch.size(),
                      s.message());
      }
    }
    {
      // Dropped even when the commit failed, like the records: a lost mark costs only a
      // duplicate message on a replay.
      std::lock_guard lock(pending_mu_);
      for (const std::string& id : marks) marks_.erase(id);
      flushing_.clear();  // in the file now (or lost with a failed commit, as a crash would)
    }
  }

  Status Write(const char* sql, const JobRecord& r) {
    auto write = db_->Prepare(sql);
    if (!write.ok()) return write.status();
    write->Bind(1, r.id).Bind(2, static_cast<int64_t>(r.state)).Bind(3, r.prompt);
    write->Bind(4, int64_t{r.seed}).Bind(5, r.width).Bind(6, r.height).Bind(7, r.key);
    write->Bind(8, r.error).Bind(9, r.attempts).Bind(10, r.created_ms).Bind(11, r.updated_ms);
    if (r.idempotency_key.empty()) {
      write->BindNull(12);
    } else {
      write->Bind(12, r.idempotency_key);
    }
    write->Bind(13, r.request_digest).Bind(14, r.enqueued ? 1 : 0).Bind(15, r.owner);
    write->Bind(16, r.model).Bind(17, ToMicroUsd(r.cost_usd)).Bind(18, r.negative_prompt);
    write->Bind(19, r.started_ms).Bind(20, r.finished_ms).Bind(21, r.generation_ms);
    write->Bind(22, r.cancel_requested ? 1 : 0).Bind(23, r.webhook_url);
    write->Bind(24, r.webhook.state).Bind(25, r.webhook.attempts).Bind(26, r.webhook.last_status);
    write->Bind(27, r.webhook.last_attempt_ms).Bind(28, r.webhook.last_error);
    return write->Run();
  }

  Result<JobRecord> Query(const char* sql, std::string_view arg) {
    auto query = db_->Prepare(sql);
    if (!query.ok()) return query.status();
    auto row = query->Bind(1, arg).Step();
    if (!row.ok()) return row.status().WithContext("reading job");
    if (!*row) return Status::NotFound("no job " + std::string(arg));
    return RecordOf(*query);
  }

  // The record in the current row of a statement that selected PICTOR_LEDGER_COLUMNS, as
  // ApplyCancellation reads it.
  static JobRecord RecordOf(const Statement& q) {
    JobRecord r;
    r.id = q.Text(0);
    const int64_t state = q.Int(1);
    r.state = state >= 0 && state <= static_cast<int64_t>(JobState::kCancelled)
                  ? static_cast<JobState>(state)
                  : JobState::kFailed;
    r.prompt = q.Text(2);
    r.seed = static_cast<uint32_t>(q.Int(3));
    r.width = static_cast<int>(q.Int(4));
    r.height = static_cast<int>(q.Int(5));
    r.key = q.Text(6);
    r.error = q.Text(7);
    r.attempts = static_cast<int>(q.Int(8));
    r.created_ms = q.Int(9);
    r.updated_ms = q.Int(10);
    r.idempotency_key = q.Text(11);
    r.request_digest = q.Text(12);
    r.enqueued = q.Int(13) != 0;
    r.owner = q.Text(14);
    r.model = q.Text(15);
    r.cost_usd = static_cast<double>(q.Int(16)) / 1e6;
    r.negative_prompt = q.Text(17);
    r.started_ms = q.Int(18);
    r.finished_ms = q.Int(19);
    r.generation_ms = q.Int(20);
    r.cancel_requested = q.Int(21) != 0;
    r.webhook_url = q.Text(22);
    r.webhook.state = q.Text(23);
    r.webhook.attempts = static_cast<int>(q.Int(24));
    r.webhook.last_status = static_cast<int>(q.Int(25));
    r.webhook.last_attempt_ms = q.Int(26);
    r.webhook.last_error = q.Text(27);
    return ApplyCancellation(std::move(r));
  }

  static constexpr std::chrono::milliseconds kGroupCommitWindow{2};

  std::mutex db_mu_;  // guards db_: one connection, used by one thread at once
  std::unique_ptr<Connection> db_;

  std::mutex flush_mu_;    // held through each FlushPending; taken before the other two
  std::mutex pending_mu_;  // guards pending_, flushing_, marks_ and stopping_
  std::condition_variable pending_cv_;
  std::map<std::string, JobRecord, std::less<>> pending_;  // created, not yet written
  // The batch FlushPending took from pending_, until committed; empty between flushes.
  std::map<std::string, JobRecord, std::less<>> flushing_;
  std::set<std::string, std::less<>> marks_;  // ids marked enqueued, not yet written
  bool stopping_ = false;
  std::thread flusher_;
  std::unique_ptr<WalCheckpointer> checkpointer_;
};

}  // namespace

Result<std::unique_ptr<JobLedger>> OpenSqliteLedger(const std::string& path) {
  sqlite::ConnectionOptions options;
  options.name = "job ledger";
  options.checkpoint_in_background = true;  // SqliteLedger::Start
  auto db = Connection::Open(path, options);
  if (!db.ok()) return db.status();
  auto ledger = std::make_unique<SqliteLedger>(std::move(db).value());
  if (Status s = ledger->Start(); !s.ok()) return s.WithContext(path);
  return std::unique_ptr<JobLedger>(std::move(ledger));
}

}  // namespace pictor
