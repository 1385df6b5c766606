// Reading base64 PNG answers: the PNG signature and IHDR size, and the size check (base64 itself:
// tests/unit/core/base64_test.cc).
#include "image/png_answer.h"

#include <gtest/gtest.h>

#include "core/base64.h"
#include "image/png_writer.h"

namespace pictor::image {
namespace {

std::string SolidPng(int width, int height) {
  std::vector<uint8_t> pixels(static_cast<size_t>(width) * height * 3, 200);
  return EncodePng(pixels.data(), width, height, 3);
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
  Result<std::string> bytes = DecodePngAnswer(Base64Encode(png), 16, 8, "m");
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_EQ(*bytes, png);
}

TEST(DecodePngAnswer, AWrongSizeIsInternal) {
  Result<std::string> bytes = DecodePngAnswer(Base64Encode(SolidPng(16, 8)), 8, 16, "m");
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().code(), StatusCode::kInternal);
  EXPECT_NE(bytes.status().message().find("16x8"), std::string::npos);
}

TEST(DecodePngAnswer, NotBase64AndNotPngAreInternal) {
  EXPECT_EQ(DecodePngAnswer("%%%", 8, 8, "m").status().code(), StatusCode::kInternal);
  // Padding is strict: a PNG answer with one '=' too many is not base64.
  EXPECT_EQ(DecodePngAnswer(Base64Encode(SolidPng(8, 8)) + "===", 8, 8, "m").status().code(),
            StatusCode::kInternal);
  EXPECT_EQ(DecodePngAnswer(Base64Encode("plain text, no image"), 8, 8, "m").status().code(),
            StatusCode::kInternal);
}

}  // namespace
}  // namespace pictor::image
