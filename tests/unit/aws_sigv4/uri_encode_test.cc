#include "aws/uri_encode.h"

#include <gtest/gtest.h>

namespace pictor::aws {
namespace {

TEST(UriEncodeTest, LeavesTheUnreservedSetAlone) {
  const std::string unreserved =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
  EXPECT_EQ(UriEncode(unreserved), unreserved);
}

TEST(UriEncodeTest, EncodesReservedCharactersWithUpperCaseHex) {
  EXPECT_EQ(UriEncode(" !\"#$&'()*+,/:;=?@[]"),
            "%20%21%22%23%24%26%27%28%29%2A%2B%2C%2F%3A%3B%3D%3F%40%5B%5D");
}

TEST(UriEncodeTest, EncodesSpaceAsPercent20NotPlus) { EXPECT_EQ(UriEncode("a b"), "a%20b"); }

TEST(UriEncodeTest, EncodesPercentAgain) { EXPECT_EQ(UriEncode("100%2F"), "100%252F"); }

TEST(UriEncodeTest, EncodesUtf8BytesOneByOne) { EXPECT_EQ(UriEncode("\xe1\x88\xb4"), "%E1%88%B4"); }

TEST(UriEncodeTest, KeepsSlashOnlyWhenAsked) {
  EXPECT_EQ(UriEncode("a/b"), "a%2Fb");
  EXPECT_EQ(UriEncode("a/b", /*keep_slash=*/true), "a/b");
}

TEST(UriDecodeTest, DecodesEitherHexCase) { EXPECT_EQ(UriDecode("%e1%88%B4%2f"), "\xe1\x88\xb4/"); }

TEST(UriDecodeTest, KeepsPlusAndMalformedEscapes) {
  EXPECT_EQ(UriDecode("a+b%2"), "a+b%2");
  EXPECT_EQ(UriDecode("%zz%"), "%zz%");
}

TEST(UriDecodeTest, InvertsUriEncode) {
  const std::string raw = "k\xc3\xbc/a b+c=d~e%f";
  EXPECT_EQ(UriDecode(UriEncode(raw)), raw);
}

TEST(NormalizePathTest, RemovesDotAndEmptySegments) {
  EXPECT_EQ(NormalizePath("//a/./b//c"), "/a/b/c");
}

TEST(NormalizePathTest, ResolvesDotDotAndStopsAtRoot) {
  EXPECT_EQ(NormalizePath("/a/b/../../.."), "/");
  EXPECT_EQ(NormalizePath("/a/b/../c"), "/a/c");
}

TEST(NormalizePathTest, KeepsTrailingSlash) {
  EXPECT_EQ(NormalizePath("//example//"), "/example/");
}

TEST(NormalizePathTest, EmptyPathIsRoot) { EXPECT_EQ(NormalizePath(""), "/"); }

}  // namespace
}  // namespace pictor::aws
