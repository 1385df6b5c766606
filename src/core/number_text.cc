#include "core/number_text.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <string>
#include <system_error>

namespace pictor {
namespace {

// At most 32 bytes of the text for messages: a flag's value may be anything.
std::string Quoted(std::string_view text) {
  std::string shown(text.substr(0, 32));
  for (char& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7F) c = '?';
  }
  return "'" + shown + (text.size() > 32 ? "...'" : "'");
}

}  // namespace

Result<int64_t> ParseIntegerSetting(std::string_view what, std::string_view text, int64_t lo,
                                    int64_t hi) {
  const std::string range = fmt::format("an integer from {} to {}", lo, hi);
  std::string_view digits = text;
  if (!digits.empty() && digits.front() == '+') {
    digits.remove_prefix(1);
    if (!digits.empty() && digits.front() == '-') digits = {};  // "+-5": two signs
  }
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  // from_chars takes a leading '-' but no second sign, spaces or "0x": it stops short of them.
  if (digits.empty() || end != digits.data() + digits.size() ||
      (ec != std::errc() && ec != std::errc::result_out_of_range)) {
    return Status::InvalidArgument(fmt::format("{} {} is not {}", what, Quoted(text), range));
  }
  if (ec == std::errc::result_out_of_range || value < lo || value > hi) {
    return Status::InvalidArgument(
        fmt::format("{} {} is out of range: {}", what, Quoted(text), "it must be " + range));
  }
  return value;
}

Result<double> ParseFiniteSetting(std::string_view what, std::string_view text) {
  std::string_view digits = text;
  if (!digits.empty() && digits.front() == '+') {
    digits.remove_prefix(1);
    if (!digits.empty() && digits.front() == '-') digits = {};  // "+-5": two signs
  }
  double value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value,
                                         std::chars_format::general);
  const bool is_text = digits.empty() || end != digits.data() + digits.size() ||
                       (ec != std::errc() && ec != std::errc::result_out_of_range);
  if (is_text) {
    return Status::InvalidArgument(
        fmt::format("{} {} is not a decimal number", what, Quoted(text)));
  }
  if (ec == std::errc::result_out_of_range) {
    return Status::InvalidArgument(
        fmt::format("{} {} is out of range: it must be finite, at most {:g} in magnitude", what,
                    Quoted(text), kMaxSettingMagnitude));
  }
  if (Status s = CheckFiniteSetting("", value); !s.ok()) {
    return Status::InvalidArgument(fmt::format("{} {} {}", what, Quoted(text), s.message()));
  }
  return value;
}

Status CheckFiniteSetting(std::string_view what, double value) {
  if (std::isnan(value) || std::isinf(value)) {
    return Status::InvalidArgument(
        fmt::format("{}{}is not a finite number", what, what.empty() ? "" : " "));
  }
  if (std::fabs(value) > kMaxSettingMagnitude) {
    return Status::InvalidArgument(fmt::format("{}{}is out of range: at most {:g} in magnitude",
                                               what, what.empty() ? "" : " ",
                                               kMaxSettingMagnitude));
  }
  return Status::Ok();
}

}  // namespace pictor
