// The fauxqs peer starts on loopback and answers: every SQS and S3 test relies on it.
#include <gtest/gtest.h>

#include "peers/peer_process.h"

namespace pictor::testing {
namespace {

TEST(Fauxqs, StartsOnLoopbackAndAnswersHealth) {
  auto fauxqs = StartFauxqs();
  ASSERT_TRUE(fauxqs.ok()) << fauxqs.status().ToString();
  std::string cmd = "curl -sf " + (*fauxqs)->base_url() + "/health";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[256] = {};
  size_t n = fread(buf, 1, sizeof buf - 1, p);
  EXPECT_EQ(pclose(p), 0);
  EXPECT_GT(n, 0u);
}

}  // namespace
}  // namespace pictor::testing
