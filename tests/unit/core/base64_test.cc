// The one base64 codec (core/base64.h): RFC 4648's test vectors, every byte, the two padding
// readings and what both refuse.
#include "core/base64.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace pictor {
namespace {

// RFC 4648 section 10.
const std::vector<std::pair<std::string, std::string>> kRfc4648Vectors = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

constexpr Base64Padding kBothPaddings[] = {Base64Padding::kStrict, Base64Padding::kLenient};

TEST(Base64Encode, MatchesTheRfc4648Vectors) {
  for (const auto& [bytes, text] : kRfc4648Vectors) EXPECT_EQ(Base64Encode(bytes), text) << bytes;
}

TEST(Base64Decode, MatchesTheRfc4648VectorsWithAndWithoutPadding) {
  for (Base64Padding padding : kBothPaddings) {
    for (const auto& [bytes, text] : kRfc4648Vectors) {
      EXPECT_EQ(Base64Decode(text, padding), bytes) << text;
      std::string unpadded = text.substr(0, text.find('='));
      EXPECT_EQ(Base64Decode(unpadded, padding), bytes) << unpadded;
    }
  }
}

TEST(Base64, RoundTripsEveryByteAndEveryTailLength) {
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  EXPECT_EQ(Base64Encode("\xfb\xff"), "+/8=");  // both characters beyond the letters and digits
  for (size_t length = 0; length <= all.size(); length += 37) {
    for (size_t tail = 0; tail < 3 && length + tail <= all.size(); ++tail) {
      const std::string bytes = all.substr(0, length + tail);
      EXPECT_EQ(Base64Decode(Base64Encode(bytes)), bytes) << bytes.size();
      EXPECT_EQ(Base64Decode(Base64Encode(bytes), Base64Padding::kLenient), bytes);
    }
  }
}

TEST(Base64Decode, RefusesCharactersOutsideTheAlphabet) {
  for (Base64Padding padding : kBothPaddings) {
    for (std::string_view text : {"YW*i", "YW\ni", "YW i", "YWJj-_", "Zm9v\r\n", "Zm9v\xff"}) {
      EXPECT_FALSE(Base64Decode(text, padding)) << text;
    }
  }
}

TEST(Base64Decode, RefusesATruncatedFinalGroup) {
  for (Base64Padding padding : kBothPaddings) {
    EXPECT_FALSE(Base64Decode("YWJjZ", padding));
    EXPECT_FALSE(Base64Decode("Z", padding));
    EXPECT_FALSE(Base64Decode("Zm9vY===", padding));
  }
}

TEST(Base64Decode, RefusesPaddingInsideTheText) {
  for (Base64Padding padding : kBothPaddings) {
    EXPECT_FALSE(Base64Decode("YW=i", padding));
    EXPECT_FALSE(Base64Decode("Zg==Zm8=", padding));
    EXPECT_FALSE(Base64Decode("=Zm9v", padding));
  }
}

TEST(Base64Decode, StrictPaddingOnlyCompletesTheFinalGroup) {
  EXPECT_FALSE(Base64Decode("YWJ=="));  // "YWJ" needs one '='
  EXPECT_FALSE(Base64Decode("Zg="));    // "Zg" needs two
  EXPECT_FALSE(Base64Decode("Zg==="));  // three is never right
  EXPECT_FALSE(Base64Decode("Zm9v="));  // a complete group needs none
  EXPECT_FALSE(Base64Decode("=="));
}

TEST(Base64Decode, LenientPaddingIgnoresAnyTrailingEquals) {
  EXPECT_EQ(Base64Decode("YWJ==", Base64Padding::kLenient), "ab");
  EXPECT_EQ(Base64Decode("Zg=", Base64Padding::kLenient), "f");
  EXPECT_EQ(Base64Decode("Zg=====", Base64Padding::kLenient), "f");
  EXPECT_EQ(Base64Decode("Zm9v=", Base64Padding::kLenient), "foo");
  EXPECT_EQ(Base64Decode("==", Base64Padding::kLenient), "");
}

}  // namespace
}  // namespace pictor
