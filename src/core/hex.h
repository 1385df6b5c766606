// Hexadecimal text for bytes and numbers: digests, random ids, percent-escapes.
//
// Free functions, thread-safe, no failure modes. Lower case is what every digest and id Pictor
// writes uses (SigV4's hashes, ETags, SQS's MD5OfMessageBody); upper case is what RFC 3986
// recommends for percent-escapes, so both digit sets are here.
#ifndef PICTOR_CORE_HEX_H_
#define PICTOR_CORE_HEX_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace pictor {

inline constexpr std::string_view kLowerHexDigits = "0123456789abcdef";
inline constexpr std::string_view kUpperHexDigits = "0123456789ABCDEF";

// `bytes` as lower-case hex, two characters per byte, first byte first: "\x00\x0f\xff" ->
// "000fff".
inline std::string HexEncode(std::string_view bytes) {
  std::string out(bytes.size() * 2, '0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    const auto byte = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kLowerHexDigits[byte >> 4];
    out[2 * i + 1] = kLowerHexDigits[byte & 0x0f];
  }
  return out;
}

// `value` as exactly 16 lower-case hex digits, most significant first (leading zeros kept).
inline std::string Hex64(uint64_t value) {
  std::string out(16, '0');
  for (size_t i = 16; i-- > 0; value >>= 4) out[i] = kLowerHexDigits[value & 0x0f];
  return out;
}

// The value of one hex digit of either case, or -1 when `c` is not one.
inline int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace pictor

#endif  // PICTOR_CORE_HEX_H_
