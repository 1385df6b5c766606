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

TEST(ReasonPhraseTest, KnowsCommonCodesAndFallsBack) {
  EXPECT_EQ(ReasonPhrase(404), "Not Found");
  EXPECT_EQ(ReasonPhrase(413), "Payload Too Large");
  EXPECT_EQ(ReasonPhrase(599), "Unknown");
}

}  // namespace
}  // namespace pictor::http
