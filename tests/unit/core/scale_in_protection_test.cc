#include "core/scale_in_protection.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace pictor {
namespace {

using std::chrono::milliseconds;

// Records every call; fails the first `fail_first` of them.
class RecordingAgent final : public TaskProtectionAgent {
 public:
  struct Call {
    bool enabled;
    int minutes;
  };
  Status SetProtection(bool enabled, int minutes) override {
    std::lock_guard lock(mu_);
    calls_.push_back({enabled, minutes});
    if (fail_first_ > 0) {
      --fail_first_;
      return Status::Unavailable("agent down");
    }
    return Status::Ok();
  }
  std::vector<Call> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }
  void FailFirst(int n) {
    std::lock_guard lock(mu_);
    fail_first_ = n;
  }

 private:
  std::mutex mu_;
  std::vector<Call> calls_;
  int fail_first_ = 0;
};

bool WaitFor(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return done();
}

ScaleInProtectionOptions Fast() {
  ScaleInProtectionOptions o;
  o.minutes = 3;
  o.renew_every = milliseconds(60000);
  o.idle_grace = milliseconds(50);
  o.retry_first = milliseconds(10);
  o.retry_max = milliseconds(40);
  return o;
}

TEST(ScaleInProtectionTest, IdleAsksNothing) {
  RecordingAgent agent;
  ScaleInProtection p(agent, Fast(), nullptr);
  p.Start();
  std::this_thread::sleep_for(milliseconds(100));
  p.Stop();
  EXPECT_TRUE(agent.calls().empty());
}

TEST(ScaleInProtectionTest, ProtectsWhenBusyAndReleasesAfterTheIdleGrace) {
  RecordingAgent agent;
  MetricsRegistry metrics;
  ScaleInProtection p(agent, Fast(), &metrics);
  p.Start();
  p.JobsInHand(2);
  ASSERT_TRUE(WaitFor([&] { return p.in_force(); }));
  ASSERT_EQ(agent.calls().size(), 1u);
  EXPECT_TRUE(agent.calls()[0].enabled);
  EXPECT_EQ(agent.calls()[0].minutes, 3);
  p.JobsInHand(1);  // still busy: nothing new
  std::this_thread::sleep_for(milliseconds(80));
  EXPECT_EQ(agent.calls().size(), 1u);
  p.JobsInHand(0);
  ASSERT_TRUE(WaitFor([&] { return !p.in_force(); }));
  ASSERT_EQ(agent.calls().size(), 2u);
  EXPECT_FALSE(agent.calls()[1].enabled);
  EXPECT_EQ(
      metrics.GetCounter("pictor_task_protection_calls_total", "", {{"result", "ok"}}).Value(), 2);
  EXPECT_EQ(metrics.GetGauge("pictor_task_protected", "").Value(), 0);
  p.Stop();
  EXPECT_EQ(agent.calls().size(), 2u);  // nothing to remove at stop
}

TEST(ScaleInProtectionTest, ShortIdleMomentsBetweenJobsMakeNoCalls) {
  RecordingAgent agent;
  auto o = Fast();
  o.idle_grace = milliseconds(300);
  ScaleInProtection p(agent, o, nullptr);
  p.Start();
  for (int i = 0; i < 10; ++i) {
    p.JobsInHand(1);
    std::this_thread::sleep_for(milliseconds(10));
    p.JobsInHand(0);
    std::this_thread::sleep_for(milliseconds(10));
  }
  ASSERT_TRUE(WaitFor([&] { return agent.calls().size() == 2; }));
  std::this_thread::sleep_for(milliseconds(50));
  ASSERT_EQ(agent.calls().size(), 2u);
  EXPECT_TRUE(agent.calls()[0].enabled);
  EXPECT_FALSE(agent.calls()[1].enabled);
}

TEST(ScaleInProtectionTest, RenewsWhileBusy) {
  RecordingAgent agent;
  auto o = Fast();
  o.renew_every = milliseconds(30);
  ScaleInProtection p(agent, o, nullptr);
  p.Start();
  p.JobsInHand(1);
  ASSERT_TRUE(WaitFor([&] { return agent.calls().size() >= 4; }));
  for (const auto& call : agent.calls()) EXPECT_TRUE(call.enabled);
  p.Stop();  // removes it
  EXPECT_FALSE(agent.calls().back().enabled);
}

TEST(ScaleInProtectionTest, RenewalDefaultsToAThirdOfThePeriod) {
  RecordingAgent agent;
  ScaleInProtectionOptions o;
  o.minutes = 1;
  ScaleInProtection p(agent, o, nullptr);
  p.Start();
  p.JobsInHand(1);
  ASSERT_TRUE(WaitFor([&] { return p.in_force(); }));
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(agent.calls().size(), 1u);  // 20 s between renewals
  p.Stop();
}

TEST(ScaleInProtectionTest, FailuresAreCountedAndTriedAgain) {
  RecordingAgent agent;
  agent.FailFirst(3);
  MetricsRegistry metrics;
  ScaleInProtection p(agent, Fast(), &metrics);
  p.Start();
  p.JobsInHand(1);
  ASSERT_TRUE(WaitFor([&] { return p.in_force(); }));
  EXPECT_EQ(p.failures(), 3);
  EXPECT_EQ(p.calls(), 4);
  EXPECT_EQ(
      metrics.GetCounter("pictor_task_protection_calls_total", "", {{"result", "failed"}}).Value(),
      3);
  p.Stop();
}

TEST(ScaleInProtectionTest, StopRemovesProtectionInForce) {
  RecordingAgent agent;
  ScaleInProtection p(agent, Fast(), nullptr);
  p.Start();
  p.JobsInHand(1);
  ASSERT_TRUE(WaitFor([&] { return p.in_force(); }));
  p.Stop();
  ASSERT_EQ(agent.calls().size(), 2u);
  EXPECT_FALSE(agent.calls()[1].enabled);
  EXPECT_FALSE(p.in_force());
}

TEST(ScaleInProtectionTest, StopTriesOnceWhenTheAgentFails) {
  RecordingAgent agent;
  ScaleInProtection p(agent, Fast(), nullptr);
  p.Start();
  p.JobsInHand(1);
  ASSERT_TRUE(WaitFor([&] { return p.in_force(); }));
  agent.FailFirst(100);
  p.Stop();  // returns: the protection lapses on its own
  EXPECT_EQ(agent.calls().size(), 2u);
}

}  // namespace
}  // namespace pictor
