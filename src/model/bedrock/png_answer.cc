#include "model/bedrock/png_answer.h"

#include <array>
#include <cstdint>

namespace pictor::model {
namespace {

constexpr std::string_view kPngSignature = "\x89PNG\r\n\x1a\n";
// The IEND chunk is always the same 12 bytes: zero length, type, CRC.
constexpr std::string_view kIendChunk{"\0\0\0\0IEND\xae\x42\x60\x82", 12};

constexpr std::array<int8_t, 256> BuildDecodeTable() {
  std::array<int8_t, 256> table{};
  for (auto& entry : table) entry = -1;
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t i = 0; i < kAlphabet.size(); ++i) {
    table[static_cast<uint8_t>(kAlphabet[i])] = static_cast<int8_t>(i);
  }
  return table;
}
constexpr std::array<int8_t, 256> kDecodeTable = BuildDecodeTable();

uint32_t ReadBigEndian32(std::string_view bytes, size_t at) {
  uint32_t value = 0;
  for (size_t i = 0; i < 4; ++i) value = (value << 8) | static_cast<uint8_t>(bytes[at + i]);
  return value;
}

}  // namespace

std::optional<std::string> DecodeBase64(std::string_view text) {
  size_t padding = 0;
  while (!text.empty() && text.back() == '=' && padding < 2) {
    text.remove_suffix(1);
    ++padding;
  }
  // A group of four characters holds three bytes; a final group of 1 character holds none.
  if (text.size() % 4 == 1) return std::nullopt;
  if (padding > 0 && (text.size() + padding) % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3 + 2);
  uint32_t bits = 0;
  int bit_count = 0;
  for (char c : text) {
    const int8_t value = kDecodeTable[static_cast<uint8_t>(c)];
    if (value < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<uint32_t>(value);
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      out.push_back(static_cast<char>((bits >> bit_count) & 0xff));
    }
  }
  return out;
}

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
  std::optional<std::string> bytes = DecodeBase64(base64);
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

}  // namespace pictor::model
