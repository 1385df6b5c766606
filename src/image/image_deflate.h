// ImageDeflate: a zlib stream writer specialised for filtered PNG rows. Private to the PNG
// writer.
#ifndef PICTOR_IMAGE_IMAGE_DEFLATE_H_
#define PICTOR_IMAGE_IMAGE_DEFLATE_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace pictor::image {

// Appends to `out` a complete zlib stream (RFC 1950/1951) of data[0..size). Matches are only
// looked for at distance `pixel_bytes` (the previous pixel) and `row_bytes` (the same byte in the
// previous row, skipped when it exceeds deflate's 32 KiB window), which is where almost all the
// redundancy of rendered, filtered image rows is; each run of tokens gets one dynamic Huffman
// block (or stored blocks, whichever is smaller).
//
// Thread-safety: a pure function. Deterministic: the same input gives the same bytes.
void AppendImageZlib(const uint8_t* data, size_t size, size_t pixel_bytes, size_t row_bytes,
                     std::string& out);

}  // namespace pictor::image

#endif  // PICTOR_IMAGE_IMAGE_DEFLATE_H_
