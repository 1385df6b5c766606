// A stable 64-bit hash (FNV-1a): the same on every build and platform, so seeds and keys
// derived from ids never change between releases. Not for security.
#ifndef PICTOR_CORE_HASH_H_
#define PICTOR_CORE_HASH_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace pictor {

inline uint64_t StableHash64(std::string_view data) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// 16 lower-case hex digits.
inline std::string StableHashHex(std::string_view data) {
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t h = StableHash64(data);
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<size_t>(i)] = kHex[h & 15];
  return out;
}

}  // namespace pictor

#endif  // PICTOR_CORE_HASH_H_
