// What core decides about spend, shared by every SpendLedger adapter and by the callers that
// charge: which budgets apply to a charge, whether a sum of charges fits them, and the hook
// through which the owner of a charge (an API key) brings its own budgets.
#ifndef PICTOR_CORE_SPEND_H_
#define PICTOR_CORE_SPEND_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "pictor/api_keys.h"
#include "pictor/spend_ledger.h"
#include "pictor/status.h"

namespace pictor {

// The budgets of one owner (an API key's name), for the pipeline's charges and the API's
// admission checks. Filled by whoever knows the owners: the authentication's cached key set.
// Thread-safety: implementations are thread-safe.
class OwnerBudgets {
 public:
  OwnerBudgets() = default;
  OwnerBudgets(const OwnerBudgets&) = delete;
  OwnerBudgets& operator=(const OwnerBudgets&) = delete;
  virtual ~OwnerBudgets() = default;

  // The budgets of `owner` (never called for the empty owner). An unknown owner has none; an
  // error (the key store unreachable) refuses the charge with that status.
  virtual Result<std::vector<Budget>> BudgetsOf(std::string_view owner) = 0;
};

// Every budget a charge by `owner` must fit: the global ones, then the owner's.
std::vector<BudgetScope> BudgetScopesFor(const std::vector<Budget>& global, std::string_view owner,
                                         const std::vector<Budget>& owner_budgets);

// "the global budget of 50 USD per day", "key alice's budget of 5 USD per month".
std::string DescribeBudget(const BudgetScope& scope);

// How much of `scope`'s budget is spent in the period [start_ms, end_ms), in micro-USD
// (core/prices.h): what the ledger sums for the owner (or for everyone, for a global budget).
using SpentInPeriod =
    std::function<Result<int64_t>(const BudgetScope& scope, int64_t start_ms, int64_t end_ms)>;

// Whether a charge of `usd_micros` at `at_ms` fits every budget of `budgets`, given what
// `spent` reports: OK, or QuotaExceeded ("budget_exhausted") naming the exhausted budget whose
// period resets last (every budget must hold, so that is when the charge can pass), with
// retry_at_ms that reset. A charge fits while the period's sum with it stays at or below the
// budget. An error of `spent` is returned as it is.
Status JudgeBudgets(const std::vector<BudgetScope>& budgets, int64_t usd_micros, int64_t at_ms,
                    const SpentInPeriod& spent);

// The earliest at_ms any of `budgets` needs summed at `at_ms` (the start of the longest period
// among them); at_ms itself when there are none.
int64_t EarliestPeriodStartMs(const std::vector<BudgetScope>& budgets, int64_t at_ms);

// Checks a charge's fields: an id of 1..200 characters, an owner that is empty or a key name,
// a model name, usd finite and in [0, kMaxImagePriceUsd]. InvalidArgument otherwise.
Status ValidateCharge(const SpendCharge& charge);

}  // namespace pictor

#endif  // PICTOR_CORE_SPEND_H_
