#include "image/png_answer.h"

#include <cstdint>

#include "core/base64.h"

namespace pictor::image {
namespace {

constexpr std::string_view kPngSignature = "\x89PNG\r\n\x1a\n";
// The IEND chunk is always the same 12 bytes: zero length, type, CRC.
constexpr std::string_view kIendChunk{"\0\0\0\0IEND\xae\x42\x60\x82", 12};

uint32_t ReadBigEndian32(std::string_view bytes, size_t at) {
  uint32_t value = 0;
  for (size_t i = 0; i < 4; ++i) value = (value << 8) | static_cast<uint8_t>(bytes[at + i]);
  return value;
}

}  // namespace

std::optional<PngSize> ReadPngSize(std::string_view png) {
  // Signature, IHDR (length 13, type, 13 bytes of data, CRC), IEND.
  constexpr size_t kIhdrEnd = 8 + 4 + 4 + 13 + 4;
  if (png.size() < kIhdrEnd + kIendChunk.size()) return std::nullopt;
  if (!png.starts_with(kPngSignature)) return std::nullopt;
  if (ReadBigEndian32(png, 8) != 13 || png.substr(12, 4) != "IHDR") return std::nullopt;
  if (!png.ends_with(kIendChunk)) return std::nullopt;
  const uint32_t width = ReadBigEndian32(png, 16);
  const uint32_t height = ReadBigEndian32(png, 20);
  // PNG limits each side to 2^31 - 1; a zero side is invalid.
  if (width == 0 || height == 0 || width > 0x7fffffffu || height > 0x7fffffffu) {
    return std::nullopt;
  }
  return PngSize{static_cast<int>(width), static_cast<int>(height)};
}

Result<std::string> DecodePngAnswer(std::string_view base64, int width, int height,
                                    std::string_view model) {
  const std::string who(model);
  std::optional<std::string> bytes = Base64Decode(base64, Base64Padding::kStrict);
  if (!bytes) return Status::Internal(who + " answered with an image that is not valid base64");
  std::optional<PngSize> size = ReadPngSize(*bytes);
  if (!size) return Status::Internal(who + " answered with an image that is not a complete PNG");
  if (size->width != width || size->height != height) {
    return Status::Internal(who + " answered with a " + std::to_string(size->width) + "x" +
                            std::to_string(size->height) + " PNG where " + std::to_string(width) +
                            "x" + std::to_string(height) + " was expected");
  }
  return std::move(*bytes);
}

}  // namespace pictor::image
