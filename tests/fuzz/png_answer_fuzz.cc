// The PNG answer check shared by the remote models (src/image/png_answer): base64
// decoding, the PNG size read from IHDR, and both together. The first byte picks the size
// DecodePngAnswer asks for; the rest is read as base64 text and, as it is, as PNG bytes.
// Invariants: decoded bytes re-encode and decode to themselves; a size read is positive; an
// accepted answer is a PNG of exactly the size asked.
#include <string>

#include "core/base64.h"
#include "fuzz_check.h"
#include "image/png_answer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pictor::fuzz::Cursor in(pictor::fuzz::AsText(data, size));
  static constexpr int kSides[] = {1, 64, 512, 1024};
  const uint8_t pick = in.Byte();
  const int width = kSides[pick % 4];
  const int height = kSides[(pick / 4) % 4];
  const std::string_view text = in.Rest();

  if (std::optional<std::string> bytes =
          pictor::Base64Decode(text, pictor::Base64Padding::kStrict)) {
    FUZZ_CHECK(bytes->size() <= text.size());
    std::optional<std::string> again = pictor::Base64Decode(pictor::Base64Encode(*bytes));
    FUZZ_CHECK(again && *again == *bytes);
  }
  if (std::optional<pictor::image::PngSize> png = pictor::image::ReadPngSize(text)) {
    FUZZ_CHECK(png->width > 0 && png->height > 0);
  }
  pictor::Result<std::string> answer =
      pictor::image::DecodePngAnswer(text, width, height, "fuzz model");
  if (answer.ok()) {
    std::optional<pictor::image::PngSize> png = pictor::image::ReadPngSize(*answer);
    FUZZ_CHECK(png && png->width == width && png->height == height);
  } else {
    FUZZ_CHECK(answer.status().code() == pictor::StatusCode::kInternal);
  }
  return 0;
}
