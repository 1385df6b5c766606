// SpendLedgerWrapper: a SpendLedger that forwards every call to another (LevelDB's EnvWrapper),
// the base of decorators that record, delay or fail some calls, and a second handle on one
// ledger's charges: such a decorator overrides only what it changes, and a method added to
// SpendLedger is forwarded here once instead of silently missing from every decorator.
// Thread-safety: as the wrapped ledger's.
#ifndef PICTOR_SPEND_LEDGER_WRAPPER_H_
#define PICTOR_SPEND_LEDGER_WRAPPER_H_

#include <cstdint>
#include <string_view>
#include <type_traits>
#include <vector>

#include "pictor/spend_ledger.h"

namespace pictor {

class SpendLedgerWrapper : public SpendLedger {
 public:
  // Borrows `target`, which must outlive the wrapper.
  explicit SpendLedgerWrapper(SpendLedger& target) : target_(target) {}

  SpendLedger& target() const { return target_; }

  Status Charge(const SpendCharge& charge, const std::vector<BudgetScope>& budgets) override {
    return target_.Charge(charge, budgets);
  }
  Status Check(const std::vector<BudgetScope>& budgets, double usd, int64_t now_ms) override {
    return target_.Check(budgets, usd, now_ms);
  }
  Status Refund(std::string_view id) override { return target_.Refund(id); }
  Result<std::vector<SpendCharge>> Since(int64_t since_ms) override {
    return target_.Since(since_ms);
  }

 private:
  SpendLedger& target_;
};

// Fails to compile when SpendLedger gains a pure virtual method not forwarded above.
static_assert(!std::is_abstract_v<SpendLedgerWrapper>);

}  // namespace pictor

#endif  // PICTOR_SPEND_LEDGER_WRAPPER_H_
