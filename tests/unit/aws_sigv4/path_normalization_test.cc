#include "aws/path_normalization.h"

#include <gtest/gtest.h>

namespace pictor::aws {
namespace {

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
