#include "core/ids.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace pictor {
namespace {

const std::regex kCanonical(
    "^[0-9a-f]{8}-[0-9a-f]{4}-([0-9a-f])[0-9a-f]{3}-([0-9a-f])[0-9a-f]{3}-"
    "[0-9a-f]{12}$");

char Version(const std::string& id) { return id[14]; }
char Variant(const std::string& id) { return id[19]; }

TEST(Ids, RandomUuidIsVersion4InCanonicalForm) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = NewUuid();
    ASSERT_TRUE(std::regex_match(id, kCanonical)) << id;
    EXPECT_EQ(Version(id), '4') << id;
    EXPECT_NE(std::string("89ab").find(Variant(id)), std::string::npos) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Ids, TimeOrderedUuidCarriesTheMillisecondsAndVersion7) {
  // 2026-11-27T07:35:57.123Z
  const int64_t ms = 1795678557123;
  const std::string id = NewTimeOrderedUuid(ms);
  ASSERT_TRUE(std::regex_match(id, kCanonical)) << id;
  EXPECT_EQ(Version(id), '7') << id;
  EXPECT_NE(std::string("89ab").find(Variant(id)), std::string::npos) << id;
  char expected[16];
  std::snprintf(expected, sizeof expected, "%012llx", static_cast<unsigned long long>(ms));
  EXPECT_EQ(id.substr(0, 8) + id.substr(9, 4), expected);
}

TEST(Ids, TimeOrderedUuidsSortByTimeAndDifferWithinAMillisecond) {
  std::set<std::string> same_ms;
  for (int i = 0; i < 1000; ++i) same_ms.insert(NewTimeOrderedUuid(1000));
  EXPECT_EQ(same_ms.size(), 1000u);
  std::string previous = NewTimeOrderedUuid(0);
  for (int64_t ms : {1LL, 255LL, 256LL, 65536LL, 1795678557123LL, 0xFFFFFFFFFFFFLL}) {
    const std::string id = NewTimeOrderedUuid(ms);
    EXPECT_LT(previous, id) << ms;
    previous = id;
  }
}

}  // namespace
}  // namespace pictor
