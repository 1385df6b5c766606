// Small UTF-8 checks used by validation, and the encoder of one code point. No locale.
#ifndef PICTOR_CORE_UTF8_H_
#define PICTOR_CORE_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace pictor {

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Number of code points in valid UTF-8 text.
size_t CountCodePoints(std::string_view s);

// Appends `code_point` (at most U+10FFFF, not a surrogate: the caller checks) as UTF-8.
void AppendUtf8(std::string& out, uint32_t code_point);

// Calls `visit(code_point)` for each code point of valid UTF-8 text, in order, until it returns
// false. Returns false when a visit did.
template <typename Visit>
bool ForEachCodePoint(std::string_view s, Visit visit) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    const unsigned char c = *p;
    int extra = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
    uint32_t cp = extra == 0   ? c
                  : extra == 1 ? (c & 0x1Fu)
                  : extra == 2 ? (c & 0x0Fu)
                               : (c & 0x07u);
    for (int i = 1; i <= extra && p + i < end; ++i) cp = (cp << 6) | (p[i] & 0x3Fu);
    p += extra + 1;
    if (!visit(cp)) return false;
  }
  return true;
}

// Control characters a prompt may not hold: C0 (U+0000-U+001F) except tab (U+0009) and
// newline (U+000A), DEL (U+007F) and C1 (U+0080-U+009F, which includes U+0085 NEXT LINE).
bool IsForbiddenControl(uint32_t code_point);

// Code points that draw nothing on their own: Unicode White_Space (U+0009-U+000D, U+0020,
// U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000), every
// Default_Ignorable_Code_Point of Unicode 15 (U+00AD soft hyphen, U+034F, U+061C, U+115F, U+1160,
// U+17B4, U+17B5, U+180B-U+180F Mongolian selectors and vowel separator, U+200B-U+200F zero
// widths and LRM/RLM, U+202A-U+202E bidi embeddings, U+2060-U+206F word joiner, invisible
// operators and bidi isolates, U+3164, U+FE00-U+FE0F variation selectors, U+FEFF, U+FFA0,
// U+FFF0-U+FFF8, U+1BCA0-U+1BCA3, U+1D173-U+1D17A, U+E0000-U+E0FFF tags and variation
// selectors), and the blank-looking U+2800 BRAILLE PATTERN BLANK and U+3164/U+FFA0 Hangul
// fillers. Everything else, assigned or not, counts as visible.
bool IsInvisible(uint32_t code_point);

// True when valid UTF-8 `s` holds at least one code point that is not IsInvisible.
bool HasVisibleCharacter(std::string_view s);

// `s` without leading and trailing ASCII whitespace and U+00A0.
std::string_view TrimWhitespace(std::string_view s);

}  // namespace pictor

#endif  // PICTOR_CORE_UTF8_H_
