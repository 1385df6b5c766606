#include "http/http_message.h"

#include <gtest/gtest.h>

namespace pictor::http {
namespace {

TEST(HeadersTest, GetIgnoresCaseAndReturnsFirstValue) {
  Headers headers;
  headers.Add("X-Thing", "one");
  headers.Add("x-thing", "two");
  EXPECT_EQ(headers.Get("X-THING"), "one");
  EXPECT_FALSE(headers.Get("Other").has_value());
}

TEST(HeadersTest, SetReplacesEveryFieldOfThatName) {
  Headers headers;
  headers.Add("A", "1");
  headers.Add("a", "2");
  headers.Add("B", "3");
  headers.Set("A", "4");
  ASSERT_EQ(headers.fields().size(), 2u);
  EXPECT_EQ(headers.Get("a"), "4");
  EXPECT_EQ(headers.Get("b"), "3");
}

TEST(EqualsIgnoreCaseTest, ComparesAsciiCaseInsensitively) {
  EXPECT_TRUE(EqualsIgnoreCase("Content-Length", "content-length"));
  EXPECT_FALSE(EqualsIgnoreCase("Content-Length", "Content-Lengt"));
  EXPECT_FALSE(EqualsIgnoreCase("a", "b"));
}

TEST(ReasonPhraseTest, KnowsCommonCodesAndFallsBack) {
  EXPECT_EQ(ReasonPhrase(404), "Not Found");
  EXPECT_EQ(ReasonPhrase(413), "Payload Too Large");
  EXPECT_EQ(ReasonPhrase(599), "Unknown");
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

}  // namespace
}  // namespace pictor::http
