#include "image/image_deflate.h"

#include <gtest/gtest.h>
#include <libdeflate.h>

#include <cstdint>
#include <string>
#include <vector>

#include "image/huffman.h"

namespace pictor::image {
namespace {

// Inflates a zlib stream with libdeflate (which checks the Adler-32 trailer).
std::vector<uint8_t> Inflate(const std::string& z, size_t size) {
  libdeflate_decompressor* d = libdeflate_alloc_decompressor();
  std::vector<uint8_t> out(size);
  size_t actual = 0;
  const libdeflate_result r =
      libdeflate_zlib_decompress(d, z.data(), z.size(), out.data(), out.size(), &actual);
  libdeflate_free_decompressor(d);
  EXPECT_EQ(r, LIBDEFLATE_SUCCESS);
  out.resize(actual);
  return out;
}

std::string Deflate(const std::vector<uint8_t>& data, size_t pixel_bytes, size_t row_bytes) {
  std::string out;
  AppendImageZlib(data.data(), data.size(), pixel_bytes, row_bytes, out);
  return out;
}

std::vector<uint8_t> Random(size_t n, uint32_t seed) {
  std::vector<uint8_t> v(n);
  for (auto& b : v) {
    seed = seed * 1664525u + 1013904223u;
    b = static_cast<uint8_t>(seed >> 24);
  }
  return v;
}

TEST(ImageDeflate, EmptyInputInflatesToNothing) {
  EXPECT_TRUE(Inflate(Deflate({}, 3, 10), 16).empty());
}

TEST(ImageDeflate, LongRunsCompressWellAndRoundTrip) {
  const std::vector<uint8_t> zeros(1 << 20, 0);
  const std::string z = Deflate(zeros, 3, 3073);
  EXPECT_LT(z.size(), 4096u);
  EXPECT_EQ(Inflate(z, zeros.size()), zeros);
}

TEST(ImageDeflate, RepeatedRowsUseTheRowAboveAndRoundTrip) {
  const size_t row = 301;
  const std::vector<uint8_t> first = Random(row, 5);
  std::vector<uint8_t> data;
  for (int y = 0; y < 200; ++y) data.insert(data.end(), first.begin(), first.end());
  const std::string z = Deflate(data, 4, row);
  EXPECT_LT(z.size(), row + 2000);
  EXPECT_EQ(Inflate(z, data.size()), data);
}

TEST(ImageDeflate, IncompressibleDataFallsBackToStoredBlocks) {
  const std::vector<uint8_t> noise = Random(300000, 11);
  const std::string z = Deflate(noise, 3, 901);
  // Stored blocks cost 5 bytes per 64 KiB at most twice over (a token block may need two).
  EXPECT_LE(z.size(), noise.size() + 6 + 10 * (noise.size() / 65535 + 1));
  EXPECT_EQ(Inflate(z, noise.size()), noise);
}

TEST(ImageDeflate, RowsWiderThanTheWindowRoundTrip) {
  std::vector<uint8_t> data = Random(40000 * 3, 3);
  for (size_t i = 0; i < data.size(); i += 7) data[i] = 0;
  EXPECT_EQ(Inflate(Deflate(data, 4, 40000), data.size()), data);
}

TEST(ImageDeflate, ManyBlocksOfMixedDataRoundTrip) {
  // More tokens than one block holds: literals from noise between runs.
  std::vector<uint8_t> data = Random(600000, 17);
  for (size_t i = 0; i < data.size(); i += 1000) {
    for (size_t k = i; k < i + 500 && k < data.size(); ++k) data[k] = data[k % 3];
  }
  EXPECT_EQ(Inflate(Deflate(data, 3, 3001), data.size()), data);
}

TEST(Huffman, SkewedFrequenciesStayWithinTheLengthLimitAndFormACompleteCode) {
  uint32_t freqs[286];
  uint32_t f = 1;
  for (int i = 0; i < 286; ++i) {  // Fibonacci-like growth forces very deep optimal trees.
    freqs[i] = f;
    f = f < (1u << 30) ? f + f / 2 + 1 : f;
  }
  uint8_t lengths[286];
  BuildCodeLengths(freqs, 286, 15, lengths);
  double kraft = 0;
  for (uint8_t len : lengths) {
    ASSERT_GE(len, 1);
    ASSERT_LE(len, 15);
    kraft += 1.0 / static_cast<double>(1u << len);
  }
  EXPECT_DOUBLE_EQ(kraft, 1.0);
}

TEST(Huffman, TwoSymbolsGetOneBitEach) {
  const uint32_t freqs[5] = {0, 9, 0, 1, 0};
  uint8_t lengths[5];
  BuildCodeLengths(freqs, 5, 7, lengths);
  EXPECT_EQ(lengths[0], 0);
  EXPECT_EQ(lengths[1], 1);
  EXPECT_EQ(lengths[3], 1);
  uint16_t codes[5];
  BuildCanonicalCodes(lengths, 5, codes);
  EXPECT_NE(codes[1], codes[3]);
}

}  // namespace
}  // namespace pictor::image
