// Huffman code lengths by Moffat and Katajainen's in-place method over symbols sorted by
// frequency, then limited to a maximum length by moving leaves up the tree (the approach of
// miniz): cheap, and the limit is rarely hit by image data.
#include "image/huffman.h"

#include <algorithm>
#include <array>

namespace pictor::image {
namespace {

struct Leaf {
  uint32_t key;  // the frequency, then the parent index, then the depth
  uint16_t symbol;
};

// On entry `a` is sorted by ascending frequency; on exit a[i].key is the depth of a[i].
void MinimumRedundancy(Leaf* a, int n) {
  if (n == 1) {
    a[0].key = 1;
    return;
  }
  a[0].key += a[1].key;
  int root = 0, leaf = 2;
  for (int next = 1; next < n - 1; ++next) {
    if (leaf >= n || a[root].key < a[leaf].key) {
      a[next].key = a[root].key;
      a[root++].key = static_cast<uint32_t>(next);
    } else {
      a[next].key = a[leaf++].key;
    }
    if (leaf >= n || (root < next && a[root].key < a[leaf].key)) {
      a[next].key += a[root].key;
      a[root++].key = static_cast<uint32_t>(next);
    } else {
      a[next].key += a[leaf++].key;
    }
  }
  a[n - 2].key = 0;
  for (int next = n - 3; next >= 0; --next) a[next].key = a[a[next].key].key + 1;
  int avail = 1, used = 0, depth = 0, root2 = n - 2, next = n - 1;
  while (avail > 0) {
    while (root2 >= 0 && static_cast<int>(a[root2].key) == depth) {
      ++used;
      --root2;
    }
    while (avail > used) {
      a[next--].key = static_cast<uint32_t>(depth);
      --avail;
    }
    avail = 2 * used;
    ++depth;
    used = 0;
  }
}

constexpr int kMaxDepth = 32;

// Folds codes deeper than `max_length` into it, then restores the Kraft equality by
// lengthening the deepest shorter codes.
void LimitLengths(std::array<int, kMaxDepth + 1>& count, int max_length) {
  for (int i = max_length + 1; i <= kMaxDepth; ++i) {
    count[static_cast<size_t>(max_length)] += count[static_cast<size_t>(i)];
    count[static_cast<size_t>(i)] = 0;
  }
  uint32_t total = 0;
  for (int i = max_length; i > 0; --i) {
    total += static_cast<uint32_t>(count[static_cast<size_t>(i)]) << (max_length - i);
  }
  while (total > (1u << max_length)) {
    --count[static_cast<size_t>(max_length)];
    for (int i = max_length - 1; i > 0; --i) {
      if (count[static_cast<size_t>(i)] != 0) {
        --count[static_cast<size_t>(i)];
        count[static_cast<size_t>(i) + 1] += 2;
        break;
      }
    }
    --total;
  }
}

}  // namespace

void BuildCodeLengths(const uint32_t* freqs, int n, int max_length, uint8_t* lengths) {
  std::array<Leaf, 288> leaves;
  int used = 0;
  for (int i = 0; i < n; ++i) {
    lengths[i] = 0;
    if (freqs[i] != 0) leaves[static_cast<size_t>(used++)] = {freqs[i], static_cast<uint16_t>(i)};
  }
  if (used == 0) return;
  // Ties broken by symbol so the code, and so the output, is the same everywhere.
  std::sort(leaves.begin(), leaves.begin() + used, [](const Leaf& a, const Leaf& b) {
    return a.key != b.key ? a.key < b.key : a.symbol < b.symbol;
  });
  MinimumRedundancy(leaves.data(), used);
  std::array<int, kMaxDepth + 1> count{};
  for (int i = 0; i < used; ++i) {
    ++count[std::min<size_t>(leaves[static_cast<size_t>(i)].key, kMaxDepth)];
  }
  LimitLengths(count, max_length);
  // The least frequent symbols (first in `leaves`) get the longest codes.
  int next = 0;
  for (int len = max_length; len > 0; --len) {
    for (int k = count[static_cast<size_t>(len)]; k > 0; --k) {
      lengths[leaves[static_cast<size_t>(next++)].symbol] = static_cast<uint8_t>(len);
    }
  }
}

void BuildCanonicalCodes(const uint8_t* lengths, int n, uint16_t* codes) {
  std::array<uint32_t, 16> count{}, next{};
  for (int i = 0; i < n; ++i) ++count[lengths[i]];
  count[0] = 0;
  uint32_t code = 0;
  for (size_t len = 1; len < 16; ++len) {
    code = (code + count[len - 1]) << 1;
    next[len] = code;
  }
  for (int i = 0; i < n; ++i) {
    const int len = lengths[i];
    if (len == 0) {
      codes[i] = 0;
      continue;
    }
    uint32_t c = next[static_cast<size_t>(len)]++, reversed = 0;
    for (int b = 0; b < len; ++b, c >>= 1) reversed = (reversed << 1) | (c & 1);
    codes[i] = static_cast<uint16_t>(reversed);
  }
}

}  // namespace pictor::image
