#include "core/percent_encoding.h"

#include <gtest/gtest.h>

#include <string>

namespace pictor {
namespace {

TEST(PercentEncodeTest, LeavesTheUnreservedSetAlone) {
  const std::string unreserved =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
  EXPECT_EQ(PercentEncode(unreserved), unreserved);
}

TEST(PercentEncodeTest, EncodesReservedCharactersWithUpperCaseHex) {
  EXPECT_EQ(PercentEncode(" !\"#$&'()*+,/:;=?@[]"),
            "%20%21%22%23%24%26%27%28%29%2A%2B%2C%2F%3A%3B%3D%3F%40%5B%5D");
}

TEST(PercentEncodeTest, EncodesSpaceAsPercent20NotPlus) {
  EXPECT_EQ(PercentEncode("a b"), "a%20b");
}

TEST(PercentEncodeTest, EncodesPercentAgain) { EXPECT_EQ(PercentEncode("100%2F"), "100%252F"); }

TEST(PercentEncodeTest, EncodesUtf8BytesOneByOne) {
  EXPECT_EQ(PercentEncode("\xe1\x88\xb4"), "%E1%88%B4");
}

TEST(PercentEncodeTest, KeepsSlashOnlyWhenAsked) {
  EXPECT_EQ(PercentEncode("a/b"), "a%2Fb");
  EXPECT_EQ(PercentEncode("a/b", /*keep_slash=*/true), "a/b");
}

TEST(PercentDecodeLenientTest, DecodesEitherHexCase) {
  EXPECT_EQ(PercentDecodeLenient("%e1%88%B4%2f"), "\xe1\x88\xb4/");
}

TEST(PercentDecodeLenientTest, KeepsPlusAndMalformedEscapes) {
  EXPECT_EQ(PercentDecodeLenient("a+b%2"), "a+b%2");
  EXPECT_EQ(PercentDecodeLenient("%zz%"), "%zz%");
}

TEST(PercentDecodeLenientTest, InvertsPercentEncode) {
  const std::string raw = "k\xc3\xbc/a b+c=d~e%f";
  EXPECT_EQ(PercentDecodeLenient(PercentEncode(raw)), raw);
}

// Every byte outside the unreserved set is escaped, including the ASCII punctuation RFC 3986
// calls sub-delims and gen-delims, controls, DEL and every byte above 0x7F.
TEST(PercentEncodeTest, EscapesEveryByteOutsideTheUnreservedSet) {
  const std::string unreserved =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
  for (int b = 0; b < 256; ++b) {
    const std::string in(1, static_cast<char>(b));
    const bool kept = unreserved.find(static_cast<char>(b)) != std::string::npos;
    const std::string expected =
        kept ? in : std::string("%") + "0123456789ABCDEF"[b >> 4] + "0123456789ABCDEF"[b & 15];
    EXPECT_EQ(PercentEncode(in), expected) << b;
    EXPECT_EQ(PercentEncode(in, /*keep_slash=*/true), b == '/' ? "/" : expected) << b;
  }
}

TEST(PercentEncodeTest, KeepsSlashesOfAnObjectKey) {
  EXPECT_EQ(PercentEncode("p/generated_images/a b+c.png", /*keep_slash=*/true),
            "p/generated_images/a%20b%2Bc.png");
}

TEST(PercentDecodeLenientTest, KeepsATrailingPercentAndOneDigit) {
  EXPECT_EQ(PercentDecodeLenient("%41%4"), "A%4");
  EXPECT_EQ(PercentDecodeLenient("%4"), "%4");
}

TEST(PercentDecodeLenientTest, DecodesNul) {
  EXPECT_EQ(PercentDecodeLenient("a%00b"), std::string("a\0b", 3));
}

TEST(PercentDecodeTest, DecodesEscapes) { EXPECT_EQ(PercentDecode("/a%20b/%2Fc%7e"), "/a b//c~"); }

TEST(PercentDecodeTest, PlusIsSpaceOnlyWhenAsked) {
  EXPECT_EQ(PercentDecode("a+b"), "a+b");
  EXPECT_EQ(PercentDecode("a+b", /*plus_is_space=*/true), "a b");
}

TEST(PercentDecodeTest, RejectsMalformedEscapes) {
  EXPECT_FALSE(PercentDecode("%").has_value());
  EXPECT_FALSE(PercentDecode("%4").has_value());
  EXPECT_FALSE(PercentDecode("abc%zz").has_value());
}

TEST(PercentDecodeTest, RejectsNul) { EXPECT_FALSE(PercentDecode("/a%00b").has_value()); }

TEST(PercentDecodeTest, RejectsALiteralNul) {
  EXPECT_FALSE(PercentDecode(std::string("a\0b", 3)).has_value());
}

TEST(PercentDecodeTest, EscapedPlusIsAPlusEvenInForms) {
  EXPECT_EQ(PercentDecode("a%2Bb+c", /*plus_is_space=*/true), "a+b c");
}

TEST(PercentDecodeTest, InvertsPercentEncode) {
  const std::string raw = "key with spaces/\xe1\x88\xb4+%?&=";
  EXPECT_EQ(PercentDecode(PercentEncode(raw)), raw);
  EXPECT_EQ(PercentDecode(PercentEncode(raw, /*keep_slash=*/true)), raw);
}

}  // namespace
}  // namespace pictor
