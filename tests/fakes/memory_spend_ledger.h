// An in-memory SpendLedger for tests: the port's promises (budgets judged by core's
// JudgeBudgets, one charge per id, refunds), plus failures on demand and a count of calls.
// Thread-safe.
#ifndef PICTOR_TESTS_FAKES_MEMORY_SPEND_LEDGER_H_
#define PICTOR_TESTS_FAKES_MEMORY_SPEND_LEDGER_H_

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/prices.h"
#include "core/spend.h"
#include "pictor/spend_ledger.h"

namespace pictor::testing {

class MemorySpendLedger final : public SpendLedger {
 public:
  Status Charge(const SpendCharge& charge, const std::vector<BudgetScope>& budgets) override {
    if (Status s = ValidateCharge(charge); !s.ok()) return s;
    std::lock_guard lock(mu_);
    ++charge_calls_;
    if (fail_next_) return TakeFailure();
    if (charges_.count(charge.id) > 0) return Status::Ok();
    if (Status s = JudgeLocked(budgets, UsdToMicros(charge.usd), charge.at_ms); !s.ok()) return s;
    charges_[charge.id] = charge;
    return Status::Ok();
  }

  Status Check(const std::vector<BudgetScope>& budgets, double usd, int64_t now_ms) override {
    std::lock_guard lock(mu_);
    ++check_calls_;
    if (fail_next_) return TakeFailure();
    return JudgeLocked(budgets, UsdToMicros(usd), now_ms);
  }

  Status Refund(std::string_view id) override {
    std::lock_guard lock(mu_);
    ++refund_calls_;
    if (fail_next_) return TakeFailure();
    auto it = charges_.find(id);
    if (it != charges_.end()) charges_.erase(it);
    return Status::Ok();
  }

  Result<std::vector<SpendCharge>> Since(int64_t since_ms) override {
    std::lock_guard lock(mu_);
    if (fail_next_) return TakeFailure();
    std::vector<SpendCharge> out;
    for (const auto& [id, c] : charges_) {
      if (c.at_ms >= since_ms) out.push_back(c);
    }
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
      return a.at_ms != b.at_ms ? a.at_ms < b.at_ms : a.id < b.id;
    });
    return out;
  }

  // The next call of any method fails with `status`.
  void FailNext(Status status) {
    std::lock_guard lock(mu_);
    fail_next_ = std::move(status);
  }

  std::vector<SpendCharge> charges() {
    std::lock_guard lock(mu_);
    std::vector<SpendCharge> out;
    for (const auto& [id, c] : charges_) out.push_back(c);
    return out;
  }
  int charge_calls() {
    std::lock_guard lock(mu_);
    return charge_calls_;
  }
  int check_calls() {
    std::lock_guard lock(mu_);
    return check_calls_;
  }
  int refund_calls() {
    std::lock_guard lock(mu_);
    return refund_calls_;
  }

 private:
  Status TakeFailure() {
    Status s = std::move(*fail_next_);
    fail_next_.reset();
    return s;
  }

  Status JudgeLocked(const std::vector<BudgetScope>& budgets, int64_t micros, int64_t at_ms) {
    return JudgeBudgets(
        budgets, micros, at_ms,
        [&](const BudgetScope& scope, int64_t start, int64_t end) -> Result<int64_t> {
          int64_t sum = 0;
          for (const auto& [id, c] : charges_) {
            if (c.at_ms < start || c.at_ms >= end) continue;
            if (!scope.owner.empty() && c.owner != scope.owner) continue;
            sum += UsdToMicros(c.usd);
          }
          return sum;
        });
  }

  std::mutex mu_;  // guards everything below
  std::map<std::string, SpendCharge, std::less<>> charges_;
  std::optional<Status> fail_next_;
  int charge_calls_ = 0;
  int check_calls_ = 0;
  int refund_calls_ = 0;
};

}  // namespace pictor::testing

#endif  // PICTOR_TESTS_FAKES_MEMORY_SPEND_LEDGER_H_
