// EncodePng: a fast PNG encoder for 8-bit RGB and RGBA pixels.
#ifndef PICTOR_IMAGE_PNG_WRITER_H_
#define PICTOR_IMAGE_PNG_WRITER_H_

#include <cstdint>
#include <string>

namespace pictor::image {

// How each row is filtered before compression (PNG filter types 0..2, plus a per-row pick).
enum class PngFilter { kNone, kSub, kUp, kPerRow };

// What compresses the filtered rows: the purpose-built image deflate (the default, fastest;
// see image_deflate.h), or libdeflate at `compression_level`.
enum class PngCompressor { kImageRuns, kLibdeflate };

struct PngOptions {
  PngCompressor compressor = PngCompressor::kImageRuns;
  // libdeflate level, 0 (stored) .. 12; used only with PngCompressor::kLibdeflate.
  int compression_level = 2;
  PngFilter filter = PngFilter::kUp;
};

// Encodes `height` rows of `width` pixels, each `channels` (3 = RGB, 4 = RGBA) bytes, rows
// tightly packed, into a complete PNG file (8-bit, non-interlaced).
//
// Thread-safety: safe to call concurrently; each thread keeps its own compressor.
// Errors: returns an empty string when width/height are not positive, channels is not 3 or 4,
// or the pixels are too large for PNG (more than 2^31-1 per side).
std::string EncodePng(const uint8_t* pixels, int width, int height, int channels,
                      const PngOptions& options = {});

}  // namespace pictor::image

#endif  // PICTOR_IMAGE_PNG_WRITER_H_
