// The text forms of scopes, rates and budgets (`pictor keys create --scope generate,read
// --rate 60/min --budget 5usd/day`, `serve --budget 50usd/month`, the configuration file) and
// the calendar arithmetic of budget periods.
#ifndef PICTOR_CORE_QUOTA_H_
#define PICTOR_CORE_QUOTA_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "pictor/api_keys.h"
#include "pictor/status.h"

namespace pictor {

// "generate,read,admin" (any non-empty subset, any order, no repeats) → a Scope mask.
Result<uint32_t> ParseScopes(std::string_view text);
std::string FormatScopes(uint32_t scopes);  // "generate,read"

// "<count>/<unit>": count 1..1000000; unit s|sec|second, min|minute, h|hour, day.
// "unlimited" → count 0.
Result<RateLimit> ParseRateLimit(std::string_view text);
std::string FormatRateLimit(const RateLimit& rate);  // "60/min", "unlimited"

// "<amount>usd/<period>": amount a decimal number > 0 and <= 1000000 (at most 4 decimals);
// period day|month.
Result<Budget> ParseBudget(std::string_view text);
std::string FormatBudget(const Budget& budget);  // "5usd/day", "0.5usd/month"

// The first millisecond of the UTC period holding `at_ms`, and of the next one (the reset).
int64_t PeriodStartMs(BudgetPeriod period, int64_t at_ms);
int64_t NextPeriodStartMs(BudgetPeriod period, int64_t at_ms);

// Key names: [a-z0-9][a-z0-9._-]{0,63}. InvalidArgument naming the rule otherwise.
Status ValidateKeyName(std::string_view name);

}  // namespace pictor

#endif  // PICTOR_CORE_QUOTA_H_
