#include "alarm/alarm_runner.h"

#include <gtest/gtest.h>

#include <deque>
#include <vector>

#include "fakes/recording_notifier.h"

namespace pictor::alarm {
namespace {

using std::chrono::seconds;
using testing::RecordingNotifier;

TimePoint At(int s) { return TimePoint(seconds(s)); }

// Returns the values queued by the test, one per Sample(); an error when none is queued.
class ScriptedSource final : public MetricSource {
 public:
  std::deque<double> values;
  Result<double> Sample() override {
    if (values.empty()) return Status::Unavailable("no value");
    double v = values.front();
    values.pop_front();
    return v;
  }
  std::string Note() const override { return ""; }
};

class FakeStore final : public AlarmStateStore {
 public:
  std::optional<AlarmState> state;
  std::vector<AlarmTransition> recorded;
  Result<std::optional<AlarmState>> LoadState(std::string_view) override { return state; }
  Status Record(std::string_view, const AlarmTransition& t) override {
    recorded.push_back(t);
    state = t.to;
    return Status::Ok();
  }
  Result<std::vector<HistoryEntry>> History(std::string_view, int) override {
    return std::vector<HistoryEntry>{};
  }
};

AlarmRunnerOptions TwoOfTwo() {
  AlarmRunnerOptions o;
  o.rule.name = "age";
  o.rule.period = seconds(1);
  o.rule.threshold = 3;
  o.rule.evaluation_periods = 2;
  o.rule.datapoints_to_alarm = 2;
  o.queue_name = "queue.db";
  return o;
}

// Feeds one sample per period with `values`, stepping at each period start.
void Feed(AlarmRunner& runner, ScriptedSource& source, int start, std::vector<double> values) {
  for (size_t i = 0; i < values.size(); ++i) {
    source.values.push_back(values[i]);
    runner.Step(At(start + static_cast<int>(i)));
  }
  runner.Step(At(start + static_cast<int>(values.size())));  // closes the last period
}

TEST(AlarmRunnerTest, NotifiesOnceIntoAlarmAndOnceBackToOk) {
  ScriptedSource source;
  RecordingNotifier notifier;
  AlarmRunner runner(TwoOfTwo(), source, nullptr, &notifier, nullptr);
  ASSERT_TRUE(runner.Restore().ok());
  Feed(runner, source, 100, {0, 0, 5, 6, 7, 8, 0, 0, 0});
  ASSERT_EQ(notifier.events().size(), 2u);
  EXPECT_EQ(notifier.events()[0].new_state, "ALARM");
  EXPECT_EQ(notifier.events()[0].value, 6);
  EXPECT_EQ(notifier.events()[0].threshold, 3);
  EXPECT_EQ(notifier.events()[0].queue, "queue.db");
  EXPECT_EQ(notifier.events()[1].old_state, "ALARM");
  EXPECT_EQ(notifier.events()[1].new_state, "OK");
}

TEST(AlarmRunnerTest, TheNoteSaysWhatHoldsTheQueueWhenSomethingKnownDoes) {
  ScriptedSource source;
  RecordingNotifier notifier;
  AlarmRunnerOptions options = TwoOfTwo();
  bool budget_spent = true;
  options.explain = [&] { return budget_spent ? std::string("the global budget is spent") : ""; };
  AlarmRunner runner(options, source, nullptr, &notifier, nullptr);
  ASSERT_TRUE(runner.Restore().ok());
  Feed(runner, source, 100, {0, 0, 5, 6});
  budget_spent = false;
  Feed(runner, source, 105, {0, 0, 0});
  ASSERT_EQ(notifier.events().size(), 2u);
  EXPECT_EQ(notifier.events()[0].new_state, "ALARM");
  EXPECT_EQ(notifier.events()[0].note, "the global budget is spent");
  EXPECT_EQ(notifier.events()[1].new_state, "OK");
  EXPECT_EQ(notifier.events()[1].note, "");
}

TEST(AlarmRunnerTest, FirstOkAfterStartIsNotNotified) {
  ScriptedSource source;
  RecordingNotifier notifier;
  AlarmRunner runner(TwoOfTwo(), source, nullptr, &notifier, nullptr);
  ASSERT_TRUE(runner.Restore().ok());
  Feed(runner, source, 100, {0, 0, 0});
  EXPECT_EQ(runner.state(), AlarmState::kOk);
  EXPECT_TRUE(notifier.events().empty());
}

TEST(AlarmRunnerTest, RestoredAlarmIsNotNotifiedAgain) {
  ScriptedSource source;
  RecordingNotifier notifier;
  FakeStore store;
  store.state = AlarmState::kAlarm;
  AlarmRunner runner(TwoOfTwo(), source, &store, &notifier, nullptr);
  ASSERT_TRUE(runner.Restore().ok());
  EXPECT_EQ(runner.state(), AlarmState::kAlarm);
  Feed(runner, source, 100, {9, 9, 9});
  EXPECT_TRUE(notifier.events().empty());
  EXPECT_TRUE(store.recorded.empty());
}

TEST(AlarmRunnerTest, EveryTransitionIsRecorded) {
  ScriptedSource source;
  FakeStore store;
  AlarmRunner runner(TwoOfTwo(), source, &store, nullptr, nullptr);
  ASSERT_TRUE(runner.Restore().ok());
  Feed(runner, source, 100, {0, 5, 5, 0});
  ASSERT_EQ(store.recorded.size(), 3u);  // INSUFFICIENT_DATA -> OK -> ALARM -> OK
  EXPECT_EQ(store.recorded[1].to, AlarmState::kAlarm);
}

TEST(AlarmRunnerTest, FailingNotifierDoesNotStopEvaluation) {
  ScriptedSource source;
  RecordingNotifier notifier;
  notifier.FailAlways();
  AlarmRunner runner(TwoOfTwo(), source, nullptr, &notifier, nullptr);
  ASSERT_TRUE(runner.Restore().ok());
  Feed(runner, source, 100, {5, 5, 0, 0});
  EXPECT_EQ(notifier.events().size(), 2u);
  EXPECT_EQ(runner.state(), AlarmState::kOk);
}

TEST(AlarmRunnerTest, GaugeFollowsTheState) {
  ScriptedSource source;
  MetricsRegistry metrics;
  AlarmRunner runner(TwoOfTwo(), source, nullptr, nullptr, &metrics);
  ASSERT_TRUE(runner.Restore().ok());
  EXPECT_NE(metrics.RenderPrometheus().find("pictor_alarm_state{alarm=\"age\"} 2"),
            std::string::npos);
  Feed(runner, source, 100, {5, 5});
  EXPECT_NE(metrics.RenderPrometheus().find("pictor_alarm_state{alarm=\"age\"} 1"),
            std::string::npos)
      << metrics.RenderPrometheus();
}

TEST(AlarmRunnerTest, InvalidRuleIsRefused) {
  ScriptedSource source;
  AlarmRunnerOptions o = TwoOfTwo();
  o.rule.datapoints_to_alarm = 3;
  AlarmRunner runner(o, source, nullptr, nullptr, nullptr);
  EXPECT_TRUE(runner.Restore().IsInvalidArgument());
}

TEST(AlarmRunnerTest, ThreadEvaluatesOnTheClock) {
  ScriptedSource source;
  AlarmRunnerOptions o = TwoOfTwo();
  o.rule.treat_missing = MissingData::kBreaching;  // no samples at all: ALARM after 2 periods
  AlarmRunner runner(o, source, nullptr, nullptr, nullptr);
  ASSERT_TRUE(runner.Start().ok());
  const auto deadline = std::chrono::steady_clock::now() + seconds(10);
  while (runner.state() != AlarmState::kAlarm && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  runner.Stop();
  EXPECT_EQ(runner.state(), AlarmState::kAlarm);
}

}  // namespace
}  // namespace pictor::alarm
