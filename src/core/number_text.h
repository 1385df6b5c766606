// Numbers written by people (command-line flags, environment variables, configuration files),
// read strictly: plain decimal, the whole text, within a stated range. NaN, infinities and values
// too large for a double are refused rather than clamped, since a threshold of NaN or infinity
// compares false with every datapoint and would silence an alarm for good.
//
// Pure functions, thread-safe.
#ifndef PICTOR_CORE_NUMBER_TEXT_H_
#define PICTOR_CORE_NUMBER_TEXT_H_

#include <cstdint>
#include <string_view>

#include "pictor/status.h"

namespace pictor {

// Largest magnitude a real-valued setting may have: far beyond any threshold or count that means
// something, and far below where arithmetic on it could overflow to infinity.
inline constexpr double kMaxSettingMagnitude = 1e15;

// "-12", "+7", "300": an optional sign and decimal digits, no spaces, no base prefix, no
// fraction or exponent; then `lo` <= value <= `hi`. InvalidArgument naming `what` otherwise.
Result<int64_t> ParseIntegerSetting(std::string_view what, std::string_view text, int64_t lo,
                                    int64_t hi);

// A finite decimal number ("300", "-0.5", "1e3") with |value| <= kMaxSettingMagnitude. nan, inf,
// infinity, hexadecimal floats, 1e400 and trailing text are InvalidArgument naming `what`.
Result<double> ParseFiniteSetting(std::string_view what, std::string_view text);

// The same bounds for a value already parsed (from TOML, say): InvalidArgument naming `what`
// when `value` is NaN, infinite or larger in magnitude than kMaxSettingMagnitude.
Status CheckFiniteSetting(std::string_view what, double value);

}  // namespace pictor

#endif  // PICTOR_CORE_NUMBER_TEXT_H_
