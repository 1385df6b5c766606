// The SQLite JobQueue adapter (schema and statements in queue_sql.h). A receipt handle is
// "<seq>.<random token>"; only the token stored with the message by its latest receive is
// current.
#include "queue/sqlite/sqlite_queue.h"

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <utility>

#include "core/digest.h"
#include "queue/sqlite/message_format.h"
#include "queue/sqlite/queue_sql.h"
#include "sqlite/connection.h"
#include "sqlite/wal_checkpointer.h"

namespace pictor {
namespace {

using sqlite::Connection;
using sqlite::Statement;
using sqlite::WalCheckpointer;
using namespace sqlite_queue::sql;  // NOLINT(google-build-using-namespace): statement names

constexpr std::chrono::seconds kMaxDelay{900};
constexpr std::chrono::seconds kMaxVisibility{43200};
constexpr std::chrono::milliseconds kMaxWait{20000};
// How often a long poll looks at the file for messages sent by other processes (or other
// queue objects); senders in this object wake waiters at once.
constexpr std::chrono::milliseconds kPollInterval{20};
// Retention is enforced by Attributes and, at most this often (queue clock), by Receive. The
// sweep scans the table: an index on sent_ms would cost every send and delete a page write.
constexpr int64_t kRetentionSweepMs = 60'000;

struct Handle {
  int64_t seq = 0;
  std::string token;
};

std::string MakeHandle(int64_t seq, const std::string& token) {
  return std::to_string(seq) + "." + token;
}

std::optional<Handle> ParseHandle(std::string_view text) {
  const size_t dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == text.size()) return std::nullopt;
  Handle handle;
  auto [end, ec] = std::from_chars(text.data(), text.data() + dot, handle.seq);
  if (ec != std::errc() || end != text.data() + dot) return std::nullopt;
  handle.token = std::string(text.substr(dot + 1));
  return handle;
}

Status StaleHandle() {
  return Status::FailedPrecondition(
      "receipt handle is not current: the message was received again since, was deleted, or "
      "the handle is unknown");
}

Status CheckSeconds(std::chrono::seconds value, std::chrono::seconds max, const char* what) {
  if (value.count() < 0 || value > max) {
    return Status::InvalidArgument(std::string(what) + " must be 0.." +
                                   std::to_string(max.count()) + " seconds, got " +
                                   std::to_string(value.count()));
  }
  return Status::Ok();
}

Status PrepareSchema(Connection& db) {
  if (Status s = db.Exec(kSchema); !s.ok()) return s;
  auto has = db.HasColumn("messages", "deferrals");
  if (!has.ok()) return has.status();
  if (!*has) {
    if (Status s = db.Exec(kAddDeferrals); !s.ok()) return s;
  }
  return db.Exec("PRAGMA user_version=" + std::to_string(kSchemaVersion));
}

Result<std::unique_ptr<Connection>> OpenDatabase(const SqliteQueueOptions& options) {
  sqlite::ConnectionOptions connection;
  connection.name = "queue database";
  connection.sync_every_commit = options.sync_every_commit;
  connection.checkpoint_in_background = true;  // StartCheckpointing
  auto db = Connection::Open(options.path, connection);
  if (!db.ok()) return db.status();
  if (Status s = (*db)->InTransaction([&] { return PrepareSchema(**db); }); !s.ok()) {
    return s.WithContext(options.path);
  }
  return db;
}

// Thread-safe: one connection, guarded by db_mutex_; long polls wait outside it on
// sent_signal_. Several objects and processes may share one file: SQLite's write lock
// (BEGIN IMMEDIATE) makes each receive atomic across all of them.
class SqliteQueue final : public JobQueue {
 public:
  SqliteQueue(SqliteQueueOptions options, std::unique_ptr<Connection> db)
      : options_(std::move(options)), db_(std::move(db)) {}

  // Starts copying the log back into the database off the request path; its second pass
  // holds this object's writers back (see sqlite/wal_checkpointer.h).
  Status StartCheckpointing() {
    auto checkpointer = WalCheckpointer::Start(options_.path, [this](const auto& work) {
      std::lock_guard lock(db_mutex_);
      work();
    });
    if (!checkpointer.ok()) return checkpointer.status();
    checkpointer_ = std::move(checkpointer).value();
    return Status::Ok();
  }

  Result<SentMessage> Send(const OutgoingMessage& message) override {
    auto batch = SendBatch(std::span<const OutgoingMessage>(&message, 1));
    if (!batch.ok()) return batch.status();
    return std::move(batch->front());
  }

  Result<std::vector<Result<SentMessage>>> SendBatch(
      std::span<const OutgoingMessage> messages) override {
    if (messages.empty() || messages.size() > static_cast<size_t>(kMaxBatch)) {
      return Status::InvalidArgument("a batch holds 1.." + std::to_string(kMaxBatch) +
                                     " messages, got " + std::to_string(messages.size()));
    }
    std::vector<Result<SentMessage>> results;
    results.reserve(messages.size());
    bool any_valid = false;
    for (const OutgoingMessage& m : messages) {
      Status check = sqlite_queue::ValidateBody(m.body);
      if (check.ok()) check = CheckSeconds(m.delay, kMaxDelay, "delay");
      if (!check.ok()) {
        results.emplace_back(std::move(check));
        continue;
      }
      results.emplace_back(SentMessage{sqlite_queue::NewMessageId(), Md5Hex(m.body)});
      any_valid = true;
    }
    if (!any_valid) return results;
    Status stored;
    {
      std::lock_guard lock(db_mutex_);
      const int64_t now = Now();
      stored = db_->InTransaction([&]() -> Status {
        auto insert = db_->Prepare(kInsert);
        if (!insert.ok()) return insert.status();
        for (size_t i = 0; i < messages.size(); ++i) {
          if (!results[i].ok()) continue;
          Statement& s = *insert;
          s.Bind(1, results[i]->message_id).Bind(2, messages[i].body);
          s.Bind(3, results[i]->md5_of_body).Bind(4, now);
          s.Bind(5, now + messages[i].delay.count() * 1000);
          if (Status r = s.Run(); !r.ok()) return r;
          s.Reset();
        }
        return Status::Ok();
      });
    }
    if (!stored.ok()) return stored.WithContext("send to queue " + Name());
    NotifyWaiters();
    return results;
  }

  Result<std::vector<ReceivedMessage>> Receive(const ReceiveOptions& options) override {
    if (options.max_messages < 1 || options.max_messages > kMaxBatch) {
      return Status::InvalidArgument("max_messages must be 1.." + std::to_string(kMaxBatch) +
                                     ", got " + std::to_string(options.max_messages));
    }
    if (Status s = CheckSeconds(options.visibility_timeout, kMaxVisibility, "visibility timeout");
        !s.ok()) {
      return s;
    }
    if (options.wait.count() < 0 || options.wait > kMaxWait) {
      return Status::InvalidArgument("wait must be 0..20000 ms, got " +
                                     std::to_string(options.wait.count()));
    }
    const auto deadline = std::chrono::steady_clock::now() + options.wait;
    for (bool first = true;; first = false) {
      const uint64_t seen = SendsSoFar();
      auto received = ReceiveNow(options, /*check_first=*/!first);
      if (!received.ok() || !received->empty()) return received;
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) return received;
      std::unique_lock lock(signal_mutex_);
      sent_signal_.wait_until(lock, std::min(deadline, now + kPollInterval),
                              [&] { return sends_ != seen; });
    }
  }

  Status Delete(std::string_view receipt_handle) override {
    return UpdateHeld(receipt_handle, kDeleteHeld, std::nullopt);
  }

  Status ChangeVisibility(std::string_view receipt_handle, std::chrono::seconds timeout) override {
    if (Status s = CheckSeconds(timeout, kMaxVisibility, "visibility timeout"); !s.ok()) return s;
    return UpdateHeld(receipt_handle, kChangeVisibility, timeout);
  }

  // In place: one statement gives the receive back, counts the deferral and sets the delay.
  Status Defer(const ReceivedMessage& message, std::chrono::seconds delay) override {
    if (Status s = CheckSeconds(delay, kMaxDeferDelay, "defer delay"); !s.ok()) return s;
    return UpdateHeld(message.receipt_handle, kDefer, delay);
  }

  Status DeadLetter(std::string_view receipt_handle, std::string_view reason) override {
    const auto handle = ParseHandle(receipt_handle);
    if (!handle) return StaleHandle();
    std::lock_guard lock(db_mutex_);
    const int64_t now = Now();
    bool held = false;
    Status s = db_->InTransaction([&]() -> Status {
      auto copy = db_->Prepare(kCopyHeldToDeadLetters);
      if (!copy.ok()) return copy.status();
      copy->Bind(1, handle->seq).Bind(2, handle->token).Bind(3, now).Bind(4, reason);
      if (Status r = copy->Run(); !r.ok()) return r;
      held = db_->Changes() == 1;
      if (!held) return Status::Ok();
      auto remove = db_->Prepare(kDeleteSeq);
      if (!remove.ok()) return remove.status();
      return remove->Bind(1, handle->seq).Run();
    });
    if (!s.ok()) return s.WithContext("dead-letter in queue " + Name());
    return held ? Status::Ok() : StaleHandle();
  }

  Result<QueueAttributes> Attributes() override {
    std::lock_guard lock(db_mutex_);
    const int64_t now = Now();
    if (Status s = db_->InTransaction([&] { return DropExpired(now, /*force=*/true); }); !s.ok()) {
      return s.WithContext("attributes of queue " + Name());
    }
    QueueAttributes attributes;
    {
      // Scoped: the handle's end resets the statement, ending its read.
      auto counts = db_->Prepare(kCounts);
      if (!counts.ok()) return counts.status();
      counts->Bind(1, now);
      auto row = counts->Step();
      if (!row.ok()) return row.status().WithContext("attributes of queue " + Name());
      attributes.visible = counts->Int(0);
      attributes.in_flight = counts->Int(1);
      attributes.delayed = counts->Int(2);
      if (attributes.visible + attributes.in_flight + attributes.delayed > 0) {
        attributes.oldest_age_seconds = std::max<int64_t>(0, (now - counts->Int(3)) / 1000);
      }
    }
    auto dead = db_->Prepare(kDeadLetterCount);
    if (!dead.ok()) return dead.status();
    auto row = dead->Step();
    if (!row.ok()) return row.status().WithContext("attributes of queue " + Name());
    attributes.dead_lettered = dead->Int(0);
    return attributes;
  }

  std::string Name() const override {
    return std::filesystem::path(options_.path).filename().string();
  }

 private:
  int64_t Now() const {
    if (options_.now_ms) return options_.now_ms();
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  uint64_t SendsSoFar() {
    std::lock_guard lock(signal_mutex_);
    return sends_;
  }

  void NotifyWaiters() {
    {
      std::lock_guard lock(signal_mutex_);
      ++sends_;
    }
    sent_signal_.notify_all();
  }

  // Removes messages past retention. Call inside a write transaction with db_mutex_ held.
  Status DropExpired(int64_t now, bool force) {
    if (!force && last_retention_sweep_ms_ && now - *last_retention_sweep_ms_ < kRetentionSweepMs) {
      return Status::Ok();
    }
    auto drop = db_->Prepare(kDropExpired);
    if (!drop.ok()) return drop.status();
    if (Status s = drop->Bind(1, now - options_.retention.count() * 1000).Run(); !s.ok()) {
      return s;
    }
    last_retention_sweep_ms_ = now;
    return Status::Ok();
  }

  // One attempt at receiving, without waiting. With check_first, a cheap read decides
  // whether the write lock is worth taking (long polls ask often).
  Result<std::vector<ReceivedMessage>> ReceiveNow(const ReceiveOptions& options, bool check_first) {
    std::lock_guard lock(db_mutex_);
    const int64_t now = Now();
    if (check_first) {
      auto any = db_->Prepare(kAnyVisible);
      if (!any.ok()) return any.status();
      auto row = any->Bind(1, now).Step();
      if (!row.ok()) return row.status().WithContext("receive from queue " + Name());
      if (!*row) return std::vector<ReceivedMessage>{};
    }
    std::vector<ReceivedMessage> out;
    Status s = db_->InTransaction([&]() -> Status {
      out.clear();
      if (Status d = DropExpired(now, /*force=*/false); !d.ok()) return d;
      return ClaimVisible(options, now, out);
    });
    if (!s.ok()) return s.WithContext("receive from queue " + Name());
    return out;
  }

  struct Candidate {
    int64_t seq;
    ReceivedMessage message;
  };

  // Inside a write transaction: hides up to max_messages visible messages, oldest first,
  // dead-lettering those already received max_receive_count times.
  Status ClaimVisible(const ReceiveOptions& options, int64_t now,
                      std::vector<ReceivedMessage>& out) {
    int64_t after_seq = 0;
    for (;;) {
      const size_t wanted = static_cast<size_t>(options.max_messages) - out.size();
      if (wanted == 0) return Status::Ok();
      std::vector<Candidate> candidates;
      {
        auto select = db_->Prepare(kSelectVisible);
        if (!select.ok()) return select.status();
        select->Bind(1, now).Bind(2, after_seq).Bind(3, static_cast<int64_t>(wanted));
        for (;;) {
          auto row = select->Step();
          if (!row.ok()) return row.status();
          if (!*row) break;
          Statement& r = *select;
          Candidate c{r.Int(0), {}};
          c.message.message_id = r.Text(1);
          c.message.body = r.Text(2);
          c.message.receive_count = static_cast<int>(r.Int(3));
          c.message.sent_timestamp_ms = r.Int(4);
          c.message.first_receive_timestamp_ms = r.Int(5);
          c.message.deferrals = static_cast<int>(r.Int(6));
          candidates.push_back(std::move(c));
        }
      }
      if (candidates.empty()) return Status::Ok();
      for (Candidate& c : candidates) {
        after_seq = c.seq;
        Status s = c.message.receive_count >= options_.max_receive_count
                       ? MoveToDeadLetters(c.seq, now)
                       : MarkReceived(c, now, options.visibility_timeout, out);
        if (!s.ok()) return s;
      }
    }
  }

  Status MarkReceived(Candidate& c, int64_t now, std::chrono::seconds visibility,
                      std::vector<ReceivedMessage>& out) {
    const std::string token = sqlite_queue::NewReceiptToken();
    auto update = db_->Prepare(kMarkReceived);
    if (!update.ok()) return update.status();
    update->Bind(1, c.seq).Bind(2, now + visibility.count() * 1000).Bind(3, token).Bind(4, now);
    if (Status s = update->Run(); !s.ok()) return s;
    c.message.receipt_handle = MakeHandle(c.seq, token);
    c.message.receive_count += 1;
    if (c.message.first_receive_timestamp_ms == 0) c.message.first_receive_timestamp_ms = now;
    out.push_back(std::move(c.message));
    return Status::Ok();
  }

  Status MoveToDeadLetters(int64_t seq, int64_t now) {
    const std::string reason = "received " + std::to_string(options_.max_receive_count) +
                               " times without being deleted (maxReceiveCount " +
                               std::to_string(options_.max_receive_count) + ")";
    auto copy = db_->Prepare(kCopyToDeadLetters);
    if (!copy.ok()) return copy.status();
    if (Status s = copy->Bind(1, seq).Bind(2, now).Bind(3, reason).Run(); !s.ok()) return s;
    auto remove = db_->Prepare(kDeleteSeq);
    if (!remove.ok()) return remove.status();
    return remove->Bind(1, seq).Run();
  }

  // Delete or ChangeVisibility: one statement keyed by (seq, token); no row changed means the
  // handle is not current.
  Status UpdateHeld(std::string_view receipt_handle, const char* sql,
                    std::optional<std::chrono::seconds> visibility) {
    const auto handle = ParseHandle(receipt_handle);
    if (!handle) return StaleHandle();
    std::lock_guard lock(db_mutex_);
    auto stmt = db_->Prepare(sql);
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, handle->seq).Bind(2, handle->token);
    if (visibility) stmt->Bind(3, Now() + visibility->count() * 1000);
    if (Status s = stmt->Run(); !s.ok()) return s.WithContext("queue " + Name());
    return db_->Changes() == 1 ? Status::Ok() : StaleHandle();
  }

  const SqliteQueueOptions options_;

  std::mutex db_mutex_;  // guards db_ and last_retention_sweep_ms_
  std::unique_ptr<Connection> db_;
  std::optional<int64_t> last_retention_sweep_ms_;
  // Declared after db_mutex_ and db_, which its thread uses: destroyed (and joined) first.
  std::unique_ptr<WalCheckpointer> checkpointer_;

  std::mutex signal_mutex_;  // guards sends_
  std::condition_variable sent_signal_;
  uint64_t sends_ = 0;
};

}  // namespace

Result<std::unique_ptr<JobQueue>> OpenSqliteQueue(const SqliteQueueOptions& options) {
  if (options.max_receive_count < 1) {
    return Status::InvalidArgument("max_receive_count must be at least 1");
  }
  if (options.retention.count() < 60) {
    return Status::InvalidArgument("retention must be at least 60 seconds");
  }
  auto db = OpenDatabase(options);
  if (!db.ok()) return db.status();
  auto queue = std::make_unique<SqliteQueue>(options, std::move(*db));
  if (Status s = queue->StartCheckpointing(); !s.ok()) return s;
  return std::unique_ptr<JobQueue>(std::move(queue));
}

Result<std::vector<DeadLetteredMessage>> ListDeadLetters(const SqliteQueueOptions& options,
                                                         size_t limit) {
  std::error_code ec;
  if (!options.path.empty() && !std::filesystem::exists(options.path, ec)) {
    return Status::NotFound("no queue database at " + options.path);
  }
  auto db = OpenDatabase(options);
  if (!db.ok()) return db.status();
  auto list = (*db)->Prepare(kListDeadLetters);
  if (!list.ok()) return list.status();
  list->Bind(1, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  std::vector<DeadLetteredMessage> out;
  for (;;) {
    auto row = list->Step();
    if (!row.ok()) return row.status().WithContext("dead letters of " + options.path);
    if (!*row) break;
    const Statement& r = *list;
    out.push_back({r.Text(0), r.Text(1), r.Text(2), static_cast<int>(r.Int(3)), r.Int(4), r.Int(5),
                   r.Int(6)});
  }
  return out;
}

}  // namespace pictor
