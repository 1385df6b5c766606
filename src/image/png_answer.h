// Reading the image out of a remote model's answer: base64 text that must decode to a complete
// PNG of the size the model promised. Shared by the Bedrock and OpenAI-compatible adapters,
// which may not include each other.
//
// Free functions, thread-safe, no I/O. A remote answer that fails these checks is a broken peer
// answer: Internal (permanent), so the bytes are never stored.
#ifndef PICTOR_IMAGE_PNG_ANSWER_H_
#define PICTOR_IMAGE_PNG_ANSWER_H_

#include <optional>
#include <string>
#include <string_view>

#include "pictor/status.h"

namespace pictor::image {

// Pixel size from a PNG's IHDR chunk, when `png` starts with the PNG signature, has an IHDR
// chunk first and ends with an IEND chunk.
struct PngSize {
  int width = 0;
  int height = 0;
};
std::optional<PngSize> ReadPngSize(std::string_view png);

// Base64Decode (core/base64.h, strict padding) then ReadPngSize, requiring width x height. `model`
// names the model in messages
// ("bedrock model amazon.titan-image-generator-v2:0").
Result<std::string> DecodePngAnswer(std::string_view base64, int width, int height,
                                    std::string_view model);

}  // namespace pictor::image

#endif  // PICTOR_IMAGE_PNG_ANSWER_H_
