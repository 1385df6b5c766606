#include "core/ascii.h"

#include <gtest/gtest.h>

namespace pictor {
namespace {

TEST(EqualsIgnoreCaseTest, ComparesAsciiCaseInsensitively) {
  EXPECT_TRUE(EqualsIgnoreCase("Content-Length", "content-length"));
  EXPECT_FALSE(EqualsIgnoreCase("Content-Length", "Content-Lengt"));
  EXPECT_FALSE(EqualsIgnoreCase("a", "b"));
  EXPECT_TRUE(EqualsIgnoreCase("", ""));
}

// Only A-Z fold: '@' and '`' sit next to the letters and must not match them, and bytes above
// 0x7F (Latin-1 or UTF-8) compare exactly whatever the locale would say.
TEST(EqualsIgnoreCaseTest, FoldsOnlyAsciiLetters) {
  EXPECT_FALSE(EqualsIgnoreCase("@", "`"));
  EXPECT_FALSE(EqualsIgnoreCase("[", "{"));
  EXPECT_FALSE(EqualsIgnoreCase("\xc9", "\xe9"));
  EXPECT_TRUE(EqualsIgnoreCase("\xc3\xa9T", "\xc3\xa9t"));
}

TEST(AsciiLowerTest, LowersOnlyAsciiLetters) { EXPECT_EQ(AsciiLower("HoSt-\xc9Z"), "host-\xc9z"); }

TEST(AsciiTrimTest, DropsAsciiWhitespaceAtBothEnds) {
  EXPECT_EQ(AsciiTrim(" \t\r\n a b \v\f"), "a b");
  EXPECT_EQ(AsciiTrim("   "), "");
}

}  // namespace
}  // namespace pictor
