// Small UTF-8 checks used by validation. No locale, no allocation.
#ifndef PICTOR_CORE_UTF8_H_
#define PICTOR_CORE_UTF8_H_

#include <cstddef>
#include <string_view>

namespace pictor {

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Number of code points in valid UTF-8 text.
size_t CountCodePoints(std::string_view s);

// `s` without leading and trailing ASCII whitespace and U+00A0.
std::string_view TrimWhitespace(std::string_view s);

}  // namespace pictor

#endif  // PICTOR_CORE_UTF8_H_
