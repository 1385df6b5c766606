// Length-limited Huffman codes for deflate's dynamic blocks. Private to the PNG writer.
#ifndef PICTOR_IMAGE_HUFFMAN_H_
#define PICTOR_IMAGE_HUFFMAN_H_

#include <cstdint>

namespace pictor::image {

// Sets lengths[0..n) to code lengths (0 for unused symbols, else 1..max_length) of a complete
// prefix code that is optimal or near-optimal for freqs[0..n). Requires n <= 288, max_length
// <= 15 and at least two non-zero frequencies (so the code is complete, as inflaters require).
void BuildCodeLengths(const uint32_t* freqs, int n, int max_length, uint8_t* lengths);

// Sets codes[0..n) to the canonical codes for `lengths`, bit-reversed as deflate writes them
// (least significant bit first).
void BuildCanonicalCodes(const uint8_t* lengths, int n, uint16_t* codes);

}  // namespace pictor::image

#endif  // PICTOR_IMAGE_HUFFMAN_H_
