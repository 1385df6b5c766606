#include "outbox/sqlite/sqlite_webhook_outbox.h"

#include <mutex>
#include <utility>

#include "sqlite/connection.h"

namespace pictor {
namespace {

using sqlite::Connection;

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS webhook_outbox ("
    " id TEXT PRIMARY KEY, job_id TEXT NOT NULL, url TEXT NOT NULL, trusted INTEGER NOT NULL,"
    " reported INTEGER NOT NULL, body TEXT NOT NULL, attempts INTEGER NOT NULL,"
    " created_ms INTEGER NOT NULL, next_attempt_ms INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS webhook_outbox_due ON webhook_outbox(next_attempt_ms);";
constexpr const char* kInsert =
    "INSERT OR IGNORE INTO webhook_outbox (id, job_id, url, trusted, reported, body, attempts,"
    " created_ms, next_attempt_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
constexpr const char* kDue =
    "SELECT id, job_id, url, trusted, reported, body, attempts, created_ms, next_attempt_ms"
    " FROM webhook_outbox WHERE next_attempt_ms <= ?1 ORDER BY next_attempt_ms, id LIMIT ?2";
constexpr const char* kLease = "UPDATE webhook_outbox SET next_attempt_ms = ?2 WHERE id = ?1";
constexpr const char* kReschedule =
    "UPDATE webhook_outbox SET attempts = ?2, next_attempt_ms = ?3 WHERE id = ?1";
constexpr const char* kDelete = "DELETE FROM webhook_outbox WHERE id = ?1";
constexpr const char* kCount = "SELECT COUNT(*) FROM webhook_outbox";

class SqliteWebhookOutbox final : public WebhookOutbox {
 public:
  explicit SqliteWebhookOutbox(std::unique_ptr<Connection> db) : db_(std::move(db)) {}

  Status Start() {
    std::lock_guard lock(mu_);
    return db_->InTransaction([&] { return db_->Exec(kSchema); });
  }

  Status Add(const WebhookMessage& m) override {
    if (!IsValidWebhookMessageId(m.id)) {
      return Status::InvalidArgument("invalid webhook message id");
    }
    std::lock_guard lock(mu_);
    auto insert = db_->Prepare(kInsert);
    if (!insert.ok()) return insert.status();
    insert->Bind(1, m.id).Bind(2, m.job_id).Bind(3, m.url).Bind(4, m.trusted ? 1 : 0);
    insert->Bind(5, m.reported ? 1 : 0).Bind(6, m.body).Bind(7, m.attempts);
    insert->Bind(8, m.created_ms).Bind(9, m.next_attempt_ms);
    return insert->Run().WithContext("keeping webhook " + m.id);
  }

  Result<std::vector<WebhookMessage>> Claim(int64_t now_ms, int64_t lease_ms, int max) override {
    std::vector<WebhookMessage> claimed;
    if (max <= 0) return claimed;
    std::lock_guard lock(mu_);
    Status s = db_->InTransaction([&]() -> Status {
      claimed.clear();
      auto due = db_->Prepare(kDue);
      if (!due.ok()) return due.status();
      due->Bind(1, now_ms).Bind(2, max);
      while (true) {
        auto row = due->Step();
        if (!row.ok()) return row.status().WithContext("reading due webhooks");
        if (!*row) break;
        WebhookMessage m;
        m.id = due->Text(0);
        m.job_id = due->Text(1);
        m.url = due->Text(2);
        m.trusted = due->Int(3) != 0;
        m.reported = due->Int(4) != 0;
        m.body = due->Text(5);
        m.attempts = static_cast<int>(due->Int(6));
        m.created_ms = due->Int(7);
        m.next_attempt_ms = due->Int(8);
        claimed.push_back(std::move(m));
      }
      due->Reset();
      for (const WebhookMessage& m : claimed) {
        auto lease = db_->Prepare(kLease);
        if (!lease.ok()) return lease.status();
        if (Status r = lease->Bind(1, m.id).Bind(2, now_ms + lease_ms).Run(); !r.ok()) return r;
      }
      return Status::Ok();
    });
    if (!s.ok()) return s.WithContext("claiming webhooks");
    return claimed;
  }

  Status Reschedule(const WebhookMessage& m) override {
    std::lock_guard lock(mu_);
    auto update = db_->Prepare(kReschedule);
    if (!update.ok()) return update.status();
    update->Bind(1, m.id).Bind(2, m.attempts).Bind(3, m.next_attempt_ms);
    return update->Run().WithContext("rescheduling webhook " + m.id);
  }

  Status Remove(std::string_view id) override {
    std::lock_guard lock(mu_);
    auto remove = db_->Prepare(kDelete);
    if (!remove.ok()) return remove.status();
    return remove->Bind(1, id).Run().WithContext("removing webhook " + std::string(id));
  }

  Result<int64_t> Count() override {
    std::lock_guard lock(mu_);
    auto count = db_->Prepare(kCount);
    if (!count.ok()) return count.status();
    auto row = count->Step();
    if (!row.ok()) return row.status().WithContext("counting webhooks");
    return *row ? count->Int(0) : int64_t{0};
  }

 private:
  std::mutex mu_;  // guards db_: one connection, used by one thread at once
  std::unique_ptr<Connection> db_;
};

}  // namespace

Result<std::unique_ptr<WebhookOutbox>> OpenSqliteWebhookOutbox(const std::string& path) {
  sqlite::ConnectionOptions options;
  options.name = "webhook outbox";
  auto db = Connection::Open(path, options);
  if (!db.ok()) return db.status();
  auto outbox = std::make_unique<SqliteWebhookOutbox>(std::move(db).value());
  if (Status s = outbox->Start(); !s.ok()) return s.WithContext(path);
  return std::unique_ptr<WebhookOutbox>(std::move(outbox));
}

}  // namespace pictor
