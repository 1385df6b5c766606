// A stable 64-bit hash (FNV-1a): the same on every build and platform, so seeds and keys
// derived from ids never change between releases. Not for security.
#ifndef PICTOR_CORE_HASH_H_
#define PICTOR_CORE_HASH_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/hex.h"

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
inline std::string StableHashHex(std::string_view data) { return Hex64(StableHash64(data)); }

}  // namespace pictor

#endif  // PICTOR_CORE_HASH_H_
