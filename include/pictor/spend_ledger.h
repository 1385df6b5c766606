// Spend: what Pictor's images cost at the model's list price, and the budgets that bound it.
//
// Every generation is charged before the model is called, against every budget that applies
// (the global ones and those of the caller's key), and refunded when the call made no image.
// The SpendLedger port keeps the charges beside the job ledger: in the SQLite file (exact
// across processes: the check and the charge are one transaction), or in the object store
// (across machines the overshoot is bounded by one image per concurrent charger; see
// docs/DECISIONS.md).
#ifndef PICTOR_SPEND_LEDGER_H_
#define PICTOR_SPEND_LEDGER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pictor/api_keys.h"
#include "pictor/status.h"

namespace pictor {

struct SpendCharge {
  std::string id;     // unique per charge (a job id and attempt, a request id and image index)
  std::string owner;  // the key's name; empty when no key is involved
  std::string model;  // the model's short name ("titan", "builtin")
  double usd = 0;
  int64_t at_ms = 0;  // when it was charged (Unix epoch milliseconds)
  bool operator==(const SpendCharge&) const = default;
};

// A budget and whose spend it bounds.
struct BudgetScope {
  std::string owner;  // the key's name; empty: the global budget (every charge counts)
  Budget budget;
  bool operator==(const BudgetScope&) const = default;
};

// Thread-safety: implementations are thread-safe and may be shared by several processes.
class SpendLedger {
 public:
  SpendLedger() = default;
  SpendLedger(const SpendLedger&) = delete;
  SpendLedger& operator=(const SpendLedger&) = delete;
  virtual ~SpendLedger() = default;

  // Records `charge` unless, with it, one of `budgets` would be exceeded in its current period
  // (the period holding charge.at_ms). Refused: QuotaExceeded, reason "budget_exhausted",
  // retry_at_ms the start of the exhausted budget's next period, a message naming the budget
  // ("key alice's budget of 5 USD per day") but never a key. A charge with an id already
  // recorded is not recorded twice (OK).
  virtual Status Charge(const SpendCharge& charge, const std::vector<BudgetScope>& budgets) = 0;

  // What Charge would answer for `usd` at `now_ms`, recording nothing: admission checks (POST
  // /jobs refuses a job its budgets cannot pay for; workers stop receiving while the global
  // budget is spent).
  virtual Status Check(const std::vector<BudgetScope>& budgets, double usd, int64_t now_ms) = 0;

  // Removes the charge of that id (the model made no image, so nothing was spent). OK when
  // there is none.
  virtual Status Refund(std::string_view id) = 0;

  // Every charge with at_ms >= since_ms, oldest first (`pictor spend`, budget checks).
  virtual Result<std::vector<SpendCharge>> Since(int64_t since_ms) = 0;
};

}  // namespace pictor

#endif  // PICTOR_SPEND_LEDGER_H_
