#include "core/content_type.h"

#include <gtest/gtest.h>

namespace pictor {
namespace {

TEST(ContentTypeForKeyTest, NamesPngAndJsonBySuffix) {
  EXPECT_EQ(ContentTypeForKey("p/generated_images/builtin_1_x.png"), "image/png");
  EXPECT_EQ(ContentTypeForKey("jobs/j-1.json"), "application/json");
}

TEST(ContentTypeForKeyTest, AnythingElseIsOctetStream) {
  EXPECT_EQ(ContentTypeForKey("notes.txt"), "application/octet-stream");
  EXPECT_EQ(ContentTypeForKey("png"), "application/octet-stream");
  EXPECT_EQ(ContentTypeForKey("a.png.tmp"), "application/octet-stream");
  EXPECT_EQ(ContentTypeForKey(""), "application/octet-stream");
}

}  // namespace
}  // namespace pictor
