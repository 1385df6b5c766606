// ASCII case for protocol text (header names, URL schemes and hosts, config keys): no locale,
// bytes above 0x7F untouched.
#ifndef PICTOR_CORE_ASCII_H_
#define PICTOR_CORE_ASCII_H_

#include <string>
#include <string_view>

namespace pictor {

inline std::string AsciiLower(std::string_view in) {
  std::string out(in);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace pictor

#endif  // PICTOR_CORE_ASCII_H_
