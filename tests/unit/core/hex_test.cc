#include "core/hex.h"

#include <gtest/gtest.h>

#include <string>

namespace pictor {
namespace {

TEST(HexEncodeTest, EncodesEveryByteAsTwoLowerCaseDigits) {
  EXPECT_EQ(HexEncode(std::string("\x00\x0f\xa0\xff", 4)), "000fa0ff");
}

TEST(HexEncodeTest, EmptyIsEmpty) { EXPECT_EQ(HexEncode(""), ""); }

TEST(HexEncodeTest, KeepsByteOrder) { EXPECT_EQ(HexEncode("\x12\x34\xab"), "1234ab"); }

TEST(Hex64Test, WritesSixteenDigitsMostSignificantFirst) {
  EXPECT_EQ(Hex64(0), "0000000000000000");
  EXPECT_EQ(Hex64(0x1234), "0000000000001234");
  EXPECT_EQ(Hex64(0xfedcba9876543210ull), "fedcba9876543210");
  EXPECT_EQ(Hex64(~0ull), "ffffffffffffffff");
}

TEST(HexDigitValueTest, ReadsEitherCase) {
  EXPECT_EQ(HexDigitValue('0'), 0);
  EXPECT_EQ(HexDigitValue('9'), 9);
  EXPECT_EQ(HexDigitValue('a'), 10);
  EXPECT_EQ(HexDigitValue('F'), 15);
}

TEST(HexDigitValueTest, RejectsEverythingElse) {
  for (char c : std::string("gG/:@`\x00 \xff-", 11)) {
    EXPECT_EQ(HexDigitValue(c), -1) << static_cast<int>(c);
  }
}

}  // namespace
}  // namespace pictor
