#include <gtest/gtest.h>

#include "pictor/object_store.h"

namespace pictor {
namespace {

TEST(ObjectKey, AcceptsNestedUnicodeKeys) {
  EXPECT_TRUE(ValidateObjectKey("cand/generated_images/from_queue/builtin_1_x.png").ok());
  EXPECT_TRUE(ValidateObjectKey("bilder/måne ☾.png").ok());
  EXPECT_TRUE(ValidateObjectKey(std::string(1024, 'k')).ok());
}

TEST(ObjectKey, RejectsEscapesAndBadBytes) {
  for (std::string bad :
       {std::string(""), std::string("/abs.png"), std::string("a/../b.png"), std::string(".."),
        std::string("a/./b"), std::string("a//b"), std::string("a/"), std::string("tab\there"),
        std::string("nul\0x", 5), std::string("bad\xC3"), std::string(1025, 'k')}) {
    Status s = ValidateObjectKey(bad);
    EXPECT_FALSE(s.ok()) << "accepted: " << bad;
    EXPECT_EQ(s.reason(), "invalid_key");
  }
}

TEST(ObjectKey, AllowsDotsInsideNames) {
  EXPECT_TRUE(ValidateObjectKey("a/..b/c..png").ok());
  EXPECT_TRUE(ValidateObjectKey(".hidden/x").ok());
}

}  // namespace
}  // namespace pictor
