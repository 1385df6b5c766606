#include "keys/sqlite/sqlite_key_store.h"

#include <mutex>
#include <utility>
#include <vector>

#include "core/api_key.h"
#include "sqlite/connection.h"

namespace pictor {
namespace {

using sqlite::Connection;
using sqlite::Statement;

// Budgets are their text form ("5usd/day,50usd/month"): readable with the sqlite3 shell, and
// exact, since ValidateApiKeyRecord admits only budgets that text reads back unchanged.
constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS api_keys ("
    " name TEXT PRIMARY KEY, hash TEXT NOT NULL, scopes INTEGER NOT NULL,"
    " rate_count INTEGER NOT NULL, rate_period_s INTEGER NOT NULL, budgets TEXT NOT NULL,"
    " created_ms INTEGER NOT NULL, revoked_ms INTEGER NOT NULL,"
    " previous_hash TEXT NOT NULL, previous_expires_ms INTEGER NOT NULL)";

#define PICTOR_KEY_COLUMNS                                                           \
  "name, hash, scopes, rate_count, rate_period_s, budgets, created_ms, revoked_ms, " \
  "previous_hash, previous_expires_ms"
constexpr const char* kInsert =
    "INSERT INTO api_keys (" PICTOR_KEY_COLUMNS ") VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)";
// A revocation is final (KeyStore::Update): a record revoked in the file stays revoked at its
// time and without a previous key, whatever the update read before. SET reads the old row.
constexpr const char* kUpdate =
    "UPDATE api_keys SET hash = ?2, scopes = ?3, rate_count = ?4, rate_period_s = ?5,"
    " budgets = ?6, created_ms = ?7,"
    " revoked_ms = CASE WHEN revoked_ms > 0 THEN revoked_ms ELSE ?8 END,"
    " previous_hash = CASE WHEN revoked_ms > 0 OR ?8 > 0 THEN '' ELSE ?9 END,"
    " previous_expires_ms = CASE WHEN revoked_ms > 0 OR ?8 > 0 THEN 0 ELSE ?10 END"
    " WHERE name = ?1";
constexpr const char* kGet = "SELECT " PICTOR_KEY_COLUMNS " FROM api_keys WHERE name = ?1";
constexpr const char* kList = "SELECT " PICTOR_KEY_COLUMNS " FROM api_keys ORDER BY name";
#undef PICTOR_KEY_COLUMNS

class SqliteKeyStore final : public KeyStore {
 public:
  explicit SqliteKeyStore(std::unique_ptr<Connection> db) : db_(std::move(db)) {}

  Status Create(const ApiKeyRecord& record) override {
    if (Status s = ValidateApiKeyRecord(record); !s.ok()) return s;
    std::lock_guard lock(db_mu_);
    Status s = Write(kInsert, record);
    if (s.code() == StatusCode::kAlreadyExists) {
      return Status::AlreadyExists("a key named '" + record.name +
                                   "' exists already (names of revoked keys are not reused)");
    }
    return s.WithContext("creating key " + record.name);
  }

  Status Update(const ApiKeyRecord& record) override {
    if (Status s = ValidateApiKeyRecord(record); !s.ok()) return s;
    std::lock_guard lock(db_mu_);
    if (Status s = Write(kUpdate, record); !s.ok()) {
      return s.WithContext("updating key " + record.name);
    }
    if (db_->Changes() == 0) return Status::NotFound("no key named '" + record.name + "'");
    return Status::Ok();
  }

  Result<ApiKeyRecord> Get(std::string_view name) override {
    std::lock_guard lock(db_mu_);
    auto query = db_->Prepare(kGet);
    if (!query.ok()) return query.status();
    auto row = query->Bind(1, name).Step();
    if (!row.ok()) return row.status().WithContext("reading key " + std::string(name));
    if (!*row) return Status::NotFound("no key named '" + std::string(name.substr(0, 80)) + "'");
    return Read(*query);
  }

  Result<std::vector<ApiKeyRecord>> List() override {
    std::lock_guard lock(db_mu_);
    auto query = db_->Prepare(kList);
    if (!query.ok()) return query.status();
    std::vector<ApiKeyRecord> out;
    while (true) {
      auto row = query->Step();
      if (!row.ok()) return row.status().WithContext("listing keys");
      if (!*row) return out;
      auto record = Read(*query);
      if (!record.ok()) return record.status();
      out.push_back(std::move(record).value());
    }
  }

  Status PrepareSchema() {
    return db_->InTransaction([&] { return db_->Exec(kSchema); });
  }

 private:
  Status Write(const char* sql, const ApiKeyRecord& r) {
    auto write = db_->Prepare(sql);
    if (!write.ok()) return write.status();
    write->Bind(1, r.name).Bind(2, r.hash).Bind(3, int64_t{r.scopes}).Bind(4, r.rate.count);
    write->Bind(5, r.rate.period_s).Bind(6, FormatBudgetList(r.budgets)).Bind(7, r.created_ms);
    write->Bind(8, r.revoked_ms).Bind(9, r.previous_hash).Bind(10, r.previous_expires_ms);
    return write->Run();
  }

  static Result<ApiKeyRecord> Read(const Statement& q) {
    ApiKeyRecord r;
    r.name = q.Text(0);
    r.hash = q.Text(1);
    const int64_t scopes = q.Int(2);
    r.scopes = scopes >= 0 && scopes <= kAllScopes ? static_cast<uint32_t>(scopes) : 0;
    r.rate.count = q.Int(3);
    r.rate.period_s = q.Int(4);
    auto budgets = ParseBudgetList(q.Text(5));
    if (!budgets.ok()) return Damaged(r.name, budgets.status());
    r.budgets = std::move(budgets).value();
    r.created_ms = q.Int(6);
    r.revoked_ms = q.Int(7);
    r.previous_hash = q.Text(8);
    r.previous_expires_ms = q.Int(9);
    if (Status s = ValidateApiKeyRecord(r); !s.ok()) return Damaged(r.name, s);
    return r;
  }

  static Status Damaged(const std::string& name, const Status& why) {
    return Status::DataLoss("the stored record of key '" + name.substr(0, 80) +
                            "' is damaged: " + why.message());
  }

  std::mutex db_mu_;  // guards db_: one connection, used by one thread at once
  std::unique_ptr<Connection> db_;
};

}  // namespace

Result<std::unique_ptr<KeyStore>> OpenSqliteKeyStore(const std::string& path) {
  sqlite::ConnectionOptions options;
  options.name = "key store";
  // Keys change seldom and a created key is shown once: its record must survive power loss.
  options.sync_every_commit = true;
  auto db = Connection::Open(path, options);
  if (!db.ok()) return db.status();
  auto store = std::make_unique<SqliteKeyStore>(std::move(db).value());
  if (Status s = store->PrepareSchema(); !s.ok()) return s.WithContext(path);
  return std::unique_ptr<KeyStore>(std::move(store));
}

}  // namespace pictor
