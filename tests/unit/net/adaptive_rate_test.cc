// The adaptive rate limiter on an injected clock: when it engages, how far a throttling reply
// cuts the rate, how the CUBIC curve brings it back, how tokens are spaced, and its bounds.
#include "net/adaptive_rate.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <memory>
#include <vector>

namespace pictor::net {
namespace {

// A clock that only moves when told to, or when the limiter sleeps on it.
struct FakeClock {
  double t = 1000.0;
  std::vector<double> sleeps;
  std::function<void()> on_sleep;  // runs after each sleep, as another thread would meanwhile
  RateClock Clock() {
    return RateClock{.now = [this] { return t; },
                     .sleep =
                         [this](double s) {
                           sleeps.push_back(s);
                           t += s;
                           if (on_sleep) on_sleep();
                         }};
  }
};

class AdaptiveRateTest : public ::testing::Test {
 protected:
  // `count` successful replies, one every 0.1 s (10 per second).
  void Successes(int count) {
    for (int i = 0; i < count; ++i) {
      clock_.t += 0.1;
      limiter_.OnReply(false);
    }
  }

  FakeClock clock_;
  AdaptiveRateLimiter limiter_{AdaptiveRateOptions{}, clock_.Clock()};
};

TEST_F(AdaptiveRateTest, NeverWaitsBeforeTheFirstThrottlingReply) {
  Successes(50);
  EXPECT_FALSE(limiter_.enabled());
  for (int i = 0; i < 100; ++i) EXPECT_EQ(limiter_.Reserve(60), 0.0);
  EXPECT_TRUE(clock_.sleeps.empty());
}

TEST_F(AdaptiveRateTest, MeasuresTheReplyRate) {
  Successes(50);
  EXPECT_NEAR(limiter_.measured_rate(), 10.0, 0.5);
}

TEST_F(AdaptiveRateTest, AThrottlingReplyCutsTheRateToBetaTimesTheMeasuredRate) {
  Successes(30);
  const double measured = limiter_.measured_rate();
  clock_.t += 0.01;  // the same 0.5 s bucket as the last success: the measure does not move
  limiter_.OnReply(true);
  EXPECT_TRUE(limiter_.enabled());
  EXPECT_DOUBLE_EQ(limiter_.measured_rate(), measured);
  EXPECT_DOUBLE_EQ(limiter_.fill_rate(), 0.7 * measured);
}

TEST_F(AdaptiveRateTest, EachFurtherThrottlingReplyCutsAgain) {
  Successes(30);
  clock_.t += 0.01;
  limiter_.OnReply(true);
  const double first = limiter_.fill_rate();
  clock_.t += 0.01;
  limiter_.OnReply(true);
  // Once enabled, w_max is min(measured, fill rate): the cut compounds.
  EXPECT_NEAR(limiter_.fill_rate(), 0.7 * first, 1e-9);
}

TEST_F(AdaptiveRateTest, ThrottlingRepliesToAttemptsSentBeforeTheCutDoNotCutAgain) {
  Successes(30);
  const double sent = clock_.t;  // a burst of attempts goes out...
  clock_.t += 0.01;
  limiter_.OnReply(true, sent);  // ...the first throttling reply cuts
  const double cut = limiter_.fill_rate();
  for (int i = 0; i < 10; ++i) {
    clock_.t += 0.001;
    limiter_.OnReply(true, sent);  // the rest of the burst says nothing new
  }
  EXPECT_DOUBLE_EQ(limiter_.fill_rate(), cut);
  limiter_.OnReply(true, clock_.t);  // an attempt sent after the cut, throttled: cut again
  EXPECT_LT(limiter_.fill_rate(), cut);
}

TEST_F(AdaptiveRateTest, SuccessesFollowTheCubicCurveBackToTheRateBeforeTheCut) {
  Successes(30);
  const double w_max = limiter_.measured_rate();
  limiter_.OnReply(true);
  const double k = std::cbrt(w_max * 0.3 / 0.4);
  const double fail = clock_.t;
  for (double dt : {0.25, 0.5, 1.0, k, k + 0.5}) {
    clock_.t = fail + dt;
    limiter_.OnReply(false);
    const double cubic = 0.4 * std::pow(dt - k, 3) + w_max;
    const double expected =
        std::max(std::min(cubic, 2 * limiter_.measured_rate()), AdaptiveRateOptions{}.min_rate);
    EXPECT_NEAR(limiter_.fill_rate(), expected, 1e-9) << "dt " << dt;
  }
  // At t = K the curve is back at w_max, and the step before it was below.
  clock_.t = fail + k;
  limiter_.OnReply(false);
  EXPECT_NEAR(limiter_.fill_rate(), std::min(w_max, 2 * limiter_.measured_rate()), 1e-9);
}

TEST_F(AdaptiveRateTest, TheRateNeverExceedsTwiceTheMeasuredRate) {
  Successes(30);
  limiter_.OnReply(true);
  clock_.t += 100;  // the cubic term is huge by now
  limiter_.OnReply(false);
  EXPECT_NEAR(limiter_.fill_rate(), 2 * limiter_.measured_rate(), 1e-9);
}

TEST_F(AdaptiveRateTest, TheRateNeverFallsBelowTheFloor) {
  limiter_.OnReply(true);  // nothing measured yet: a rate of 0 is asked for
  EXPECT_DOUBLE_EQ(limiter_.fill_rate(), AdaptiveRateOptions{}.min_rate);
  for (int i = 0; i < 20; ++i) limiter_.OnReply(true);
  EXPECT_DOUBLE_EQ(limiter_.fill_rate(), AdaptiveRateOptions{}.min_rate);
}

TEST_F(AdaptiveRateTest, ReservationsAreSpacedOneFillIntervalApart) {
  Successes(30);
  clock_.t += 0.01;
  limiter_.OnReply(true);
  const double rate = limiter_.fill_rate();  // about 7 per second; capacity about 7 tokens
  // Let the bucket fill to its capacity, then take more than it holds, all at one instant.
  clock_.t += 10;
  std::vector<double> waits;
  for (int i = 0; i < 12; ++i) waits.push_back(limiter_.Reserve(60));
  const int burst = static_cast<int>(std::floor(rate));
  for (int i = 0; i < burst; ++i) EXPECT_EQ(waits[i], 0.0) << i;
  for (int i = burst + 1; i < 12; ++i) {
    EXPECT_NEAR(waits[i] - waits[i - 1], 1.0 / rate, 1e-9) << i;
  }
}

TEST_F(AdaptiveRateTest, AcquireSleepsOnTheClockUntilTheTokenIsDue) {
  Successes(30);
  limiter_.OnReply(true);
  const double rate = limiter_.fill_rate();
  double ahead = 0;
  while ((ahead = limiter_.Reserve(60)) == 0) {
  }  // the bucket is empty now, and the last call reserved a token ahead of its time
  ASSERT_TRUE(limiter_.Acquire(std::chrono::seconds(60)));
  double slept = 0;
  for (double s : clock_.sleeps) {
    EXPECT_LE(s, 0.1) << "the rate is re-read at least every 100 ms";
    slept += s;
  }
  EXPECT_NEAR(slept, ahead + 1.0 / rate, 1e-6);
}

TEST_F(AdaptiveRateTest, ATokenDueLaterThanTheBoundIsRefusedAndNotTaken) {
  limiter_.OnReply(true);  // nothing measured: the floor rate, a token every 2 s
  const double first = limiter_.Reserve(1000);
  EXPECT_GE(first, 0.0);
  EXPECT_LT(limiter_.Reserve(1), 0.0);  // the next is 2 s after that
  EXPECT_FALSE(limiter_.Acquire(std::chrono::seconds(1)));
  // Held for the bound, so that a refused caller does not come straight back.
  double slept = 0;
  for (double s : clock_.sleeps) slept += s;
  EXPECT_NEAR(slept, 1.0, 1e-9);
  // Refusals took nothing: the next token is still the one after the first, one interval after
  // it, and the second spent waiting brings it closer.
  EXPECT_NEAR(limiter_.Reserve(1000), first + 1 / AdaptiveRateOptions{}.min_rate - 1.0, 1e-6);
}

TEST_F(AdaptiveRateTest, ACallerRefusedAtALowRateGetsATokenOnceTheRateRecovers) {
  limiter_.OnReply(true);  // nothing measured: the floor rate, a token every 2 s
  ASSERT_GE(limiter_.Reserve(1000), 0.0);
  // Due in 4 s at the floor: beyond a 3 s bound. Half a second in, successes at 10 per second
  // have lifted the rate, and the token comes in time.
  bool recovered = false;
  clock_.on_sleep = [&] {
    if (!recovered && clock_.t >= 1000.5) {
      recovered = true;
      Successes(20);
    }
  };
  EXPECT_TRUE(limiter_.Acquire(std::chrono::seconds(3)));
  EXPECT_TRUE(recovered);
}

TEST_F(AdaptiveRateTest, ARateCutSlowsTheCallersAlreadyWaiting) {
  Successes(30);
  clock_.t += 0.01;
  limiter_.OnReply(true);
  const double rate = limiter_.fill_rate();
  double ahead = 0;
  while ((ahead = limiter_.Reserve(60)) == 0) {
  }
  // The next token is owed `deficit` tokens from now. After the first sleep slice, a throttling
  // reply (another caller's) cuts the rate: the rest of the deficit is paid at the new rate.
  const double deficit = (ahead + 1 / rate) * rate;
  bool cut = false;
  clock_.on_sleep = [&] {
    if (!cut) {
      cut = true;
      limiter_.OnReply(true);
    }
  };
  ASSERT_TRUE(limiter_.Acquire(std::chrono::seconds(60)));
  ASSERT_TRUE(cut);
  const double new_rate = limiter_.fill_rate();
  ASSERT_LT(new_rate, rate);
  const double first = clock_.sleeps.at(0);
  double slept = 0;
  for (double s : clock_.sleeps) slept += s;
  EXPECT_NEAR(slept, first + (deficit - first * rate) / new_rate, 1e-6);
  EXPECT_GT(slept, deficit / rate);
}

TEST(SharedRateLimiterTest, OneLimiterPerEndpointForTheWholeProcess) {
  auto a = SharedRateLimiter("bedrock http://127.0.0.1:1 model-a");
  EXPECT_EQ(a, SharedRateLimiter("bedrock http://127.0.0.1:1 model-a"));
  EXPECT_NE(a, SharedRateLimiter("bedrock http://127.0.0.1:1 model-b"));
}

}  // namespace
}  // namespace pictor::net
