// ASCII case and whitespace for protocol text (header names and values, URL schemes and hosts,
// config keys): no locale, bytes above 0x7F untouched.
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

// True when `a` and `b` are equal ignoring ASCII case ("Content-Length" and "content-length");
// bytes above 0x7F must match exactly, whatever the locale.
inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// `in` without leading and trailing ASCII whitespace (space, \t, \n, \v, \f, \r).
inline std::string_view AsciiTrim(std::string_view in) {
  auto space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
  while (!in.empty() && space(in.front())) in.remove_prefix(1);
  while (!in.empty() && space(in.back())) in.remove_suffix(1);
  return in;
}

}  // namespace pictor

#endif  // PICTOR_CORE_ASCII_H_
