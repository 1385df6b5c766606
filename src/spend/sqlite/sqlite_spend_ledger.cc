#include "spend/sqlite/sqlite_spend_ledger.h"

#include <mutex>
#include <utility>

#include "core/prices.h"
#include "core/spend.h"
#include "sqlite/connection.h"

namespace pictor {
namespace {

using sqlite::Connection;

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS spend ("
    " id TEXT PRIMARY KEY, owner TEXT NOT NULL, model TEXT NOT NULL,"
    " usd_micros INTEGER NOT NULL, at_ms INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS spend_at ON spend(at_ms);"
    "CREATE INDEX IF NOT EXISTS spend_owner_at ON spend(owner, at_ms);";
constexpr const char* kExists = "SELECT 1 FROM spend WHERE id = ?1";
constexpr const char* kSumAll =
    "SELECT COALESCE(SUM(usd_micros), 0) FROM spend WHERE at_ms >= ?1 AND at_ms < ?2";
constexpr const char* kSumOwner =
    "SELECT COALESCE(SUM(usd_micros), 0) FROM spend WHERE owner = ?3 AND at_ms >= ?1 AND at_ms < "
    "?2";
constexpr const char* kInsert =
    "INSERT INTO spend (id, owner, model, usd_micros, at_ms) VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr const char* kDelete = "DELETE FROM spend WHERE id = ?1";
constexpr const char* kSince =
    "SELECT id, owner, model, usd_micros, at_ms FROM spend WHERE at_ms >= ?1 ORDER BY at_ms, id";

class SqliteSpendLedger final : public SpendLedger {
 public:
  explicit SqliteSpendLedger(std::unique_ptr<Connection> db) : db_(std::move(db)) {}

  Status Start() {
    std::lock_guard lock(mu_);
    return db_->InTransaction([&] { return db_->Exec(kSchema); });
  }

  Status Charge(const SpendCharge& charge, const std::vector<BudgetScope>& budgets) override {
    if (Status s = ValidateCharge(charge); !s.ok()) return s;
    std::lock_guard lock(mu_);
    // The check and the insert share the write lock: the exactness across processes.
    return db_->InTransaction([&]() -> Status {
      auto exists = db_->Prepare(kExists);
      if (!exists.ok()) return exists.status();
      auto found = exists->Bind(1, charge.id).Step();
      if (!found.ok()) return found.status();
      if (*found) return Status::Ok();  // recorded before: charged once
      exists->Reset();
      if (Status s = Judge(budgets, UsdToMicros(charge.usd), charge.at_ms); !s.ok()) return s;
      auto insert = db_->Prepare(kInsert);
      if (!insert.ok()) return insert.status();
      insert->Bind(1, charge.id).Bind(2, charge.owner).Bind(3, charge.model);
      insert->Bind(4, UsdToMicros(charge.usd)).Bind(5, charge.at_ms);
      return insert->Run().WithContext("recording charge " + charge.id);
    });
  }

  Status Check(const std::vector<BudgetScope>& budgets, double usd, int64_t now_ms) override {
    std::lock_guard lock(mu_);
    return Judge(budgets, UsdToMicros(usd), now_ms);
  }

  Status Refund(std::string_view id) override {
    std::lock_guard lock(mu_);
    auto remove = db_->Prepare(kDelete);
    if (!remove.ok()) return remove.status();
    return remove->Bind(1, id).Run().WithContext("refunding charge " + std::string(id));
  }

  Result<std::vector<SpendCharge>> Since(int64_t since_ms) override {
    std::lock_guard lock(mu_);
    auto query = db_->Prepare(kSince);
    if (!query.ok()) return query.status();
    query->Bind(1, since_ms);
    std::vector<SpendCharge> charges;
    while (true) {
      auto row = query->Step();
      if (!row.ok()) return row.status().WithContext("reading charges");
      if (!*row) break;
      charges.push_back(SpendCharge{query->Text(0), query->Text(1), query->Text(2),
                                    MicrosToUsd(query->Int(3)), query->Int(4)});
    }
    return charges;
  }

 private:
  // Called with mu_ held (inside Charge's transaction, or alone for Check).
  Status Judge(const std::vector<BudgetScope>& budgets, int64_t micros, int64_t at_ms) {
    return JudgeBudgets(
        budgets, micros, at_ms,
        [&](const BudgetScope& scope, int64_t start, int64_t end) -> Result<int64_t> {
          auto sum = db_->Prepare(scope.owner.empty() ? kSumAll : kSumOwner);
          if (!sum.ok()) return sum.status();
          sum->Bind(1, start).Bind(2, end);
          if (!scope.owner.empty()) sum->Bind(3, scope.owner);
          auto row = sum->Step();
          if (!row.ok()) return row.status().WithContext("summing charges");
          return *row ? sum->Int(0) : int64_t{0};
        });
  }

  std::mutex mu_;  // guards db_: one connection, used by one thread at once
  std::unique_ptr<Connection> db_;
};

}  // namespace

Result<std::unique_ptr<SpendLedger>> OpenSqliteSpendLedger(const std::string& path) {
  sqlite::ConnectionOptions options;
  options.name = "spend ledger";
  auto db = Connection::Open(path, options);
  if (!db.ok()) return db.status();
  auto ledger = std::make_unique<SqliteSpendLedger>(std::move(db).value());
  if (Status s = ledger->Start(); !s.ok()) return s.WithContext(path);
  return std::unique_ptr<SpendLedger>(std::move(ledger));
}

}  // namespace pictor
