#include "image/png_writer.h"

#include <gtest/gtest.h>
#include <libdeflate.h>
#include <png.h>
#include <spng.h>

#include <cstdint>
#include <string>
#include <vector>

#include "image/scene.h"

namespace pictor::image {
namespace {

struct Decoded {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;
};

// Decodes with libspng into the PNG's own format (RGB8 or RGBA8), with CRC checks on.
Decoded Decode(const std::string& png, int channels) {
  Decoded d;
  spng_ctx* ctx = spng_ctx_new(0);
  EXPECT_EQ(spng_set_png_buffer(ctx, png.data(), png.size()), 0);
  spng_ihdr ihdr{};
  EXPECT_EQ(spng_get_ihdr(ctx, &ihdr), 0);
  d.width = static_cast<int>(ihdr.width);
  d.height = static_cast<int>(ihdr.height);
  const int fmt = channels == 3 ? SPNG_FMT_RGB8 : SPNG_FMT_RGBA8;
  size_t size = 0;
  EXPECT_EQ(spng_decoded_image_size(ctx, fmt, &size), 0);
  d.pixels.resize(size);
  EXPECT_EQ(spng_decode_image(ctx, d.pixels.data(), size, fmt, 0), 0);
  spng_ctx_free(ctx);
  return d;
}

std::vector<uint8_t> Noise(int w, int h, int channels, uint32_t seed) {
  std::vector<uint8_t> v(static_cast<size_t>(w) * h * channels);
  for (size_t i = 0; i < v.size(); ++i) {
    seed = seed * 1664525u + 1013904223u;
    // Half smooth, half noisy, so both filters and literals are exercised.
    v[i] = (i / 97) % 2 ? static_cast<uint8_t>(seed >> 24) : static_cast<uint8_t>(i / 7);
  }
  return v;
}

uint32_t ReadU32(const std::string& s, size_t at) {
  return (uint32_t{static_cast<uint8_t>(s[at])} << 24) |
         (uint32_t{static_cast<uint8_t>(s[at + 1])} << 16) |
         (uint32_t{static_cast<uint8_t>(s[at + 2])} << 8) | static_cast<uint8_t>(s[at + 3]);
}

struct RoundTripCase {
  int width, height, channels;
  PngFilter filter;
};

class PngRoundTrip : public testing::TestWithParam<RoundTripCase> {};

TEST_P(PngRoundTrip, DecodesToTheSamePixels) {
  const RoundTripCase c = GetParam();
  const std::vector<uint8_t> pixels = Noise(c.width, c.height, c.channels, 42);
  PngOptions options;
  options.filter = c.filter;
  const std::string png = EncodePng(pixels.data(), c.width, c.height, c.channels, options);
  ASSERT_FALSE(png.empty());
  const Decoded d = Decode(png, c.channels);
  EXPECT_EQ(d.width, c.width);
  EXPECT_EQ(d.height, c.height);
  EXPECT_EQ(d.pixels, pixels);
}

INSTANTIATE_TEST_SUITE_P(SizesChannelsFilters, PngRoundTrip,
                         testing::Values(RoundTripCase{1, 1, 3, PngFilter::kSub},
                                         RoundTripCase{1, 1, 4, PngFilter::kUp},
                                         RoundTripCase{3, 7, 3, PngFilter::kSub},
                                         RoundTripCase{3, 7, 4, PngFilter::kSub},
                                         RoundTripCase{3, 7, 3, PngFilter::kUp},
                                         RoundTripCase{3, 7, 4, PngFilter::kPerRow},
                                         RoundTripCase{2048, 64, 3, PngFilter::kSub},
                                         RoundTripCase{2048, 64, 4, PngFilter::kSub},
                                         RoundTripCase{64, 2048, 3, PngFilter::kNone},
                                         RoundTripCase{257, 129, 3, PngFilter::kPerRow}));

TEST(PngWriter, EveryCompressionLevelRoundTrips) {
  const std::vector<uint8_t> pixels = Noise(31, 17, 3, 7);
  for (int level = 0; level <= 12; ++level) {
    PngOptions options;
    options.compressor = PngCompressor::kLibdeflate;
    options.compression_level = level;
    const std::string png = EncodePng(pixels.data(), 31, 17, 3, options);
    EXPECT_EQ(Decode(png, 3).pixels, pixels) << "level " << level;
  }
}

TEST(PngWriter, WritesSignatureAndIhdrFields) {
  const std::vector<uint8_t> pixels = Noise(300, 200, 4, 1);
  const std::string png = EncodePng(pixels.data(), 300, 200, 4);
  ASSERT_GE(png.size(), 8u + 25u + 12u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(ReadU32(png, 8), 13u);
  EXPECT_EQ(png.substr(12, 4), "IHDR");
  EXPECT_EQ(ReadU32(png, 16), 300u);
  EXPECT_EQ(ReadU32(png, 20), 200u);
  EXPECT_EQ(png[24], 8);  // bit depth
  EXPECT_EQ(png[25], 6);  // RGBA
  EXPECT_EQ(png[26], 0);
  EXPECT_EQ(png[27], 0);
  EXPECT_EQ(png[28], 0);
  EXPECT_EQ(png.substr(png.size() - 12), std::string("\0\0\0\0IEND\xae\x42\x60\x82", 12));
}

TEST(PngWriter, EveryChunkCrcMatches) {
  const std::vector<uint8_t> pixels = Noise(40, 30, 3, 9);
  const std::string png = EncodePng(pixels.data(), 40, 30, 3);
  size_t at = 8;
  int chunks = 0;
  while (at < png.size()) {
    const uint32_t length = ReadU32(png, at);
    ASSERT_LE(at + 12 + length, png.size());
    const uint32_t crc = libdeflate_crc32(0, png.data() + at + 4, length + 4);
    EXPECT_EQ(ReadU32(png, at + 8 + length), crc) << png.substr(at + 4, 4);
    at += 12 + length;
    ++chunks;
  }
  EXPECT_EQ(at, png.size());
  EXPECT_EQ(chunks, 3);
}

// Decodes with libpng's simplified API into RGB8.
std::vector<uint8_t> DecodeWithLibpng(const std::string& png) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  EXPECT_NE(png_image_begin_read_from_memory(&image, png.data(), png.size()), 0);
  image.format = PNG_FORMAT_RGB;
  std::vector<uint8_t> pixels(PNG_IMAGE_SIZE(image));
  EXPECT_NE(png_image_finish_read(&image, nullptr, pixels.data(), 0, nullptr), 0);
  return pixels;
}

TEST(PngWriter, LibpngDecodesARenderedSceneToTheSamePixels) {
  const Canvas c = RenderScene("A magical salmon going to the moon in a rocket", 3, 400, 300);
  const std::string png = EncodePng(c.pixels(), c.width(), c.height(), 3);
  const std::vector<uint8_t> want(c.pixels(), c.pixels() + 400 * 300 * 3);
  EXPECT_EQ(DecodeWithLibpng(png), want);
  EXPECT_EQ(Decode(png, 3).pixels, want);
}

// Small scenes use few literal/length symbols, so the literal code is shorter than 286 entries:
// the Huffman codes must be built from exactly the lengths that are sent. (A 64x80 scene once
// decoded as "invalid distance too far back".)
TEST(PngWriter, SmallRenderedScenesDecodeToTheSamePixels) {
  for (const char* prompt : {"a json prompt", "a red ship on the ocean", "cat", "moon", "x"}) {
    for (int w : {64, 65, 72, 80, 96, 120}) {
      for (int h : {64, 72, 80, 97}) {
        const Canvas c = RenderScene(prompt, 9, w, h);
        const std::string png = EncodePng(c.pixels(), w, h, 3);
        const std::vector<uint8_t> want(c.pixels(), c.pixels() + static_cast<size_t>(w) * h * 3);
        ASSERT_EQ(Decode(png, 3).pixels, want) << prompt << " " << w << "x" << h;
      }
    }
  }
}

TEST(PngWriter, RejectsBadArguments) {
  const uint8_t pixel[4] = {1, 2, 3, 4};
  EXPECT_TRUE(EncodePng(pixel, 0, 1, 3).empty());
  EXPECT_TRUE(EncodePng(pixel, 1, -1, 3).empty());
  EXPECT_TRUE(EncodePng(pixel, 1, 1, 2).empty());
  EXPECT_TRUE(EncodePng(nullptr, 1, 1, 3).empty());
}

}  // namespace
}  // namespace pictor::image
