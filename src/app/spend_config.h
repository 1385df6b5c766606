// The spend settings of a process: the price table (defaults, then the configuration file's
// [prices]) and the global budgets (--budget, else the file's `budgets`, else PICTOR_BUDGETS).
//
// The configuration file (--config FILE, env PICTOR_CONFIG) is TOML:
//   budgets = ["50usd/day", "500usd/month"]   # global budgets; --budget flags replace them
//   [prices]                                   # US dollars per image, by the model's short name
//   builtin = 1.0                              # replaces the default (tiers by size) by one price
//   nova-canvas = 0.05
// Other tables and keys are left to the features that read them.
#ifndef PICTOR_APP_SPEND_CONFIG_H_
#define PICTOR_APP_SPEND_CONFIG_H_

#include <string>
#include <vector>

#include "core/prices.h"
#include "pictor/api_keys.h"
#include "pictor/status.h"

namespace pictor::app {

struct SpendConfig {
  PriceTable prices = PriceTable::Defaults();
  std::vector<Budget> budgets;  // global
};

// Reads `config_file` (when not empty) and the budgets: `budget_flags` when any were given, else
// the file's, else PICTOR_BUDGETS (comma-separated). InvalidArgument naming the file, key or
// flag on a bad file, price or budget.
Result<SpendConfig> LoadSpendConfig(const std::string& config_file,
                                    const std::vector<std::string>& budget_flags);

}  // namespace pictor::app

#endif  // PICTOR_APP_SPEND_CONFIG_H_
