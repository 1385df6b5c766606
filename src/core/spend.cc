#include "core/spend.h"

#include <algorithm>
#include <cmath>

#include "core/clock.h"
#include "core/pipeline.h"
#include "core/prices.h"
#include "core/quota.h"

namespace pictor {
namespace {

constexpr size_t kMaxChargeIdChars = 200;

class WallClock final : public Clock {
 public:
  int64_t NowMs() const override { return pictor::NowMs(); }
};

}  // namespace

Clock& SystemClock() {
  static WallClock clock;
  return clock;
}

std::vector<BudgetScope> BudgetScopesFor(const std::vector<Budget>& global, std::string_view owner,
                                         const std::vector<Budget>& owner_budgets) {
  std::vector<BudgetScope> scopes;
  for (const Budget& b : global) scopes.push_back(BudgetScope{"", b});
  if (!owner.empty()) {
    for (const Budget& b : owner_budgets) scopes.push_back(BudgetScope{std::string(owner), b});
  }
  return scopes;
}

std::string DescribeBudget(const BudgetScope& scope) {
  const std::string amount = FormatUsd(scope.budget.usd) + " USD per " +
                             (scope.budget.period == BudgetPeriod::kDay ? "day" : "month");
  if (scope.owner.empty()) return "the global budget of " + amount;
  return "key " + scope.owner + "'s budget of " + amount;
}

Status JudgeBudgets(const std::vector<BudgetScope>& budgets, int64_t usd_micros, int64_t at_ms,
                    const SpentInPeriod& spent) {
  const BudgetScope* exhausted = nullptr;
  int64_t retry_at_ms = 0;
  for (const BudgetScope& scope : budgets) {
    const int64_t start = PeriodStartMs(scope.budget.period, at_ms);
    const int64_t end = NextPeriodStartMs(scope.budget.period, at_ms);
    Result<int64_t> sum = spent(scope, start, end);
    if (!sum.ok()) return sum.status();
    if (*sum + usd_micros <= UsdToMicros(scope.budget.usd)) continue;
    if (exhausted == nullptr || end > retry_at_ms) {
      exhausted = &scope;
      retry_at_ms = end;
    }
  }
  if (exhausted == nullptr) return Status::Ok();
  return Status::QuotaExceeded(DescribeBudget(*exhausted) + " is spent until it resets",
                               "budget_exhausted", retry_at_ms);
}

int64_t EarliestPeriodStartMs(const std::vector<BudgetScope>& budgets, int64_t at_ms) {
  int64_t earliest = at_ms;
  for (const BudgetScope& scope : budgets) {
    earliest = std::min(earliest, PeriodStartMs(scope.budget.period, at_ms));
  }
  return earliest;
}

Status ValidateCharge(const SpendCharge& charge) {
  if (charge.id.empty() || charge.id.size() > kMaxChargeIdChars) {
    return Status::InvalidArgument("a charge's id is 1 to 200 characters");
  }
  if (!charge.owner.empty()) {
    if (Status s = ValidateKeyName(charge.owner); !s.ok()) return s;
  }
  if (charge.model.empty() || charge.model.size() > 64) {
    return Status::InvalidArgument("a charge names its model (1 to 64 characters)");
  }
  for (char c : charge.model) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return Status::InvalidArgument("a charge's model is a short name of a-z, 0-9 and '-'");
    }
  }
  if (!std::isfinite(charge.usd) || charge.usd < 0 || charge.usd > kMaxImagePriceUsd) {
    return Status::InvalidArgument("a charge is a number of US dollars from 0 to 1000");
  }
  return Status::Ok();
}

}  // namespace pictor
