// Reading base64 PNG answers: decoding, the PNG signature and IHDR size, and the size check.
#include "model/bedrock/png_answer.h"

#include <gtest/gtest.h>

#include "image/png_writer.h"

namespace pictor::model {
namespace {

std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t n = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out += kAlphabet[(n >> shift) & 63];
  }
  if (i + 1 == bytes.size()) {
    uint32_t n = uint8_t(bytes[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    uint32_t n = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string SolidPng(int width, int height) {
  std::vector<uint8_t> pixels(static_cast<size_t>(width) * height * 3, 200);
  return image::EncodePng(pixels.data(), width, height, 3);
}

TEST(DecodeBase64, DecodesEveryPaddingLength) {
  for (std::string_view text : {"", "a", "ab", "abc", "abcd", "\x00\xff\x10 binary"}) {
    EXPECT_EQ(DecodeBase64(Base64(text)), std::string(text)) << text;
  }
}

TEST(DecodeBase64, AcceptsMissingPadding) { EXPECT_EQ(DecodeBase64("YWI"), "ab"); }

TEST(DecodeBase64, RejectsCharactersOutsideTheAlphabet) {
  EXPECT_FALSE(DecodeBase64("YW*i"));
  EXPECT_FALSE(DecodeBase64("YW\ni"));
  EXPECT_FALSE(DecodeBase64("YWJj-_"));
}

TEST(DecodeBase64, RejectsTruncatedGroupsAndMisplacedPadding) {
  EXPECT_FALSE(DecodeBase64("YWJjZ"));
  EXPECT_FALSE(DecodeBase64("YW=i"));
  EXPECT_FALSE(DecodeBase64("YWJ=="));
}

TEST(ReadPngSize, ReadsTheIhdrSize) {
  std::optional<PngSize> size = ReadPngSize(SolidPng(37, 21));
  ASSERT_TRUE(size);
  EXPECT_EQ(size->width, 37);
  EXPECT_EQ(size->height, 21);
}

TEST(ReadPngSize, RejectsOtherFormatsAndTruncatedFiles) {
  std::string png = SolidPng(8, 8);
  EXPECT_FALSE(ReadPngSize("GIF89a" + std::string(60, '\0')));
  EXPECT_FALSE(ReadPngSize(png.substr(0, png.size() - 1)));
  EXPECT_FALSE(ReadPngSize(""));
}

TEST(DecodePngAnswer, ReturnsTheBytesOfAPngOfTheExpectedSize) {
  std::string png = SolidPng(16, 8);
  Result<std::string> bytes = DecodePngAnswer(Base64(png), 16, 8, "m");
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_EQ(*bytes, png);
}

TEST(DecodePngAnswer, AWrongSizeIsInternal) {
  Result<std::string> bytes = DecodePngAnswer(Base64(SolidPng(16, 8)), 8, 16, "m");
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().code(), StatusCode::kInternal);
  EXPECT_NE(bytes.status().message().find("16x8"), std::string::npos);
}

TEST(DecodePngAnswer, NotBase64AndNotPngAreInternal) {
  EXPECT_EQ(DecodePngAnswer("%%%", 8, 8, "m").status().code(), StatusCode::kInternal);
  EXPECT_EQ(DecodePngAnswer(Base64("plain text, no image"), 8, 8, "m").status().code(),
            StatusCode::kInternal);
}

}  // namespace
}  // namespace pictor::model
