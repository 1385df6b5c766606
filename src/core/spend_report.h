// `pictor spend`: charges added up by day, model or key, as a table for people.
#ifndef PICTOR_CORE_SPEND_REPORT_H_
#define PICTOR_CORE_SPEND_REPORT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pictor/spend_ledger.h"
#include "pictor/status.h"

namespace pictor {

enum class SpendGrouping { kDay, kModel, kKey };

// "day", "model", "key"; InvalidArgument naming them otherwise.
Result<SpendGrouping> ParseSpendGrouping(std::string_view text);

// "2026-03-10" (a UTC day) → its first millisecond. InvalidArgument for anything else.
Result<int64_t> ParseUtcDate(std::string_view text);

// One row per group (days oldest first, models and keys by name; charges without a key under
// "(none)"), columns aligned, then a total:
//   day          images  usd
//   2026-03-10        3  0.12
//   total             3  0.12
std::string FormatSpendTable(const std::vector<SpendCharge>& charges, SpendGrouping by);

}  // namespace pictor

#endif  // PICTOR_CORE_SPEND_REPORT_H_
