// CLI11 validators for numeric flags (and their environment variables), on core/number_text.h.
// Header-only, for the command-line layers (src/app, src/alarm), which link CLI11.
//
// Each validator checks the text strictly and writes back the value in canonical decimal before
// CLI11 converts it, so what CLI11 stores is exactly the value checked (CLI11 would otherwise read
// "010" as octal, take "nan" and "inf" as doubles, and turn 1e400 into infinity). Attach them
// with `->transform(...)`: `->check(...)` would discard the rewritten text.
#ifndef PICTOR_CORE_NUMBER_FLAGS_H_
#define PICTOR_CORE_NUMBER_FLAGS_H_

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

#include "core/number_text.h"

namespace pictor {

// An integer flag in [lo, hi].
inline CLI::Validator IntegerIn(int64_t lo, int64_t hi) {
  return CLI::Validator(
      [lo, hi](std::string& text) -> std::string {
        auto value = ParseIntegerSetting("value", text, lo, hi);
        if (!value.ok()) return value.status().message();
        text = std::to_string(*value);
        return "";
      },
      fmt::format("INT in [{} - {}]", lo, hi), "IntegerIn");
}

// A real-valued flag: finite, at most kMaxSettingMagnitude in magnitude.
inline CLI::Validator FiniteNumber() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        auto value = ParseFiniteSetting("value", text);
        if (!value.ok()) return value.status().message();
        text = fmt::format("{}", *value);  // shortest text that reads back as the same double
        return "";
      },
      "FINITE NUMBER", "FiniteNumber");
}

}  // namespace pictor

#endif  // PICTOR_CORE_NUMBER_FLAGS_H_
