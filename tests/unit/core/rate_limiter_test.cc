#include "core/rate_limiter.h"

#include <gtest/gtest.h>

namespace pictor {
namespace {

class RateLimiterTest : public ::testing::Test {
 protected:
  int64_t now_ = 1'000'000;
  RateLimiter limiter_{[this] { return now_; }};
};

TEST_F(RateLimiterTest, SixtyPerMinuteAllowsSixtyAtOnceAndRefusesTheSixtyFirst) {
  const RateLimit rate{60, 60};
  for (int i = 1; i <= 60; ++i) {
    RateDecision d = limiter_.Take("alice", rate);
    ASSERT_TRUE(d.allowed) << "request " << i;
    EXPECT_EQ(d.limit, 60);
    EXPECT_EQ(d.remaining, 60 - i);
  }
  RateDecision d = limiter_.Take("alice", rate);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.remaining, 0);
  EXPECT_EQ(d.retry_at_ms, now_ + 1000);  // one token a second
  EXPECT_EQ(d.reset_s, 60);
}

TEST_F(RateLimiterTest, TokensComeBackAtTheRate) {
  const RateLimit rate{60, 60};
  for (int i = 0; i < 60; ++i) ASSERT_TRUE(limiter_.Take("alice", rate).allowed);
  now_ += 999;
  EXPECT_FALSE(limiter_.Take("alice", rate).allowed);
  now_ += 1;
  EXPECT_TRUE(limiter_.Take("alice", rate).allowed);
  EXPECT_FALSE(limiter_.Take("alice", rate).allowed);
  now_ += 60'000;
  RateDecision d = limiter_.Take("alice", rate);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 59) << "the bucket holds no more than its size";
}

TEST_F(RateLimiterTest, KeysHaveBucketsOfTheirOwn) {
  const RateLimit rate{1, 60};
  EXPECT_TRUE(limiter_.Take("alice", rate).allowed);
  EXPECT_FALSE(limiter_.Take("alice", rate).allowed);
  EXPECT_TRUE(limiter_.Take("bob", rate).allowed);
}

TEST_F(RateLimiterTest, UnlimitedIsAlwaysAllowed) {
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(limiter_.Take("alice", RateLimit{}).allowed);
  EXPECT_EQ(limiter_.Take("alice", RateLimit{}).limit, 0);
}

TEST_F(RateLimiterTest, ClockSteppingBackAddsNoTokens) {
  const RateLimit rate{1, 1};
  EXPECT_TRUE(limiter_.Take("alice", rate).allowed);
  now_ -= 10'000;
  EXPECT_FALSE(limiter_.Take("alice", rate).allowed);
  now_ += 10'000;
  EXPECT_FALSE(limiter_.Take("alice", rate).allowed);
  now_ += 1000;
  EXPECT_TRUE(limiter_.Take("alice", rate).allowed);
}

TEST_F(RateLimiterTest, ASmallerNewRateCapsTheTokensKept) {
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(limiter_.Take("alice", RateLimit{100, 60}).allowed);
  RateDecision d = limiter_.Take("alice", RateLimit{2, 60});
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 1);
}

}  // namespace
}  // namespace pictor
