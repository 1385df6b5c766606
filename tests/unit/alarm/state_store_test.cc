#include "alarm/state_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace pictor::alarm {
namespace {

class StateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pictor-alarm-store-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "queue.alarm.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<AlarmStateStore> Open() {
    auto store = OpenAlarmStateStore(path_);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  static AlarmTransition Transition(AlarmState from, AlarmState to, int at_seconds) {
    return {from, to, TimePoint(std::chrono::seconds(at_seconds)), "because", {5, 4}};
  }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(StateStoreTest, UnknownAlarmHasNoState) {
  auto store = Open();
  auto state = store->LoadState("a");
  ASSERT_TRUE(state.ok());
  EXPECT_FALSE(state->has_value());
}

TEST_F(StateStoreTest, RecordedStateSurvivesReopening) {
  ASSERT_TRUE(Open()->Record("a", Transition(AlarmState::kOk, AlarmState::kAlarm, 100)).ok());
  auto state = Open()->LoadState("a");
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->value(), AlarmState::kAlarm);
}

TEST_F(StateStoreTest, HistoryKeepsEveryTransitionOldestFirst) {
  auto store = Open();
  ASSERT_TRUE(
      store->Record("a", Transition(AlarmState::kInsufficientData, AlarmState::kOk, 60)).ok());
  ASSERT_TRUE(store->Record("a", Transition(AlarmState::kOk, AlarmState::kAlarm, 120)).ok());
  ASSERT_TRUE(store->Record("b", Transition(AlarmState::kOk, AlarmState::kAlarm, 130)).ok());
  auto history = store->History("a", 100);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].to, AlarmState::kOk);
  EXPECT_EQ((*history)[1].from, AlarmState::kOk);
  EXPECT_EQ((*history)[1].to, AlarmState::kAlarm);
  EXPECT_EQ((*history)[1].time, TimePoint(std::chrono::seconds(120)));
  EXPECT_EQ((*history)[1].datapoints, (std::vector<double>{5, 4}));
  EXPECT_EQ((*history)[1].reason, "because");
  EXPECT_EQ(store->History("", 100)->size(), 3u);
}

TEST_F(StateStoreTest, HistoryLimitKeepsTheNewest) {
  auto store = Open();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store->Record("a", Transition(AlarmState::kOk, AlarmState::kAlarm, i)).ok());
  }
  auto history = store->History("a", 2);
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].time, TimePoint(std::chrono::seconds(3)));
}

TEST_F(StateStoreTest, FileThatIsNotADatabaseIsRefused) {
  {
    std::FILE* f = std::fopen(path_.c_str(), "w");
    std::fputs("not sqlite, not at all, no", f);
    std::fclose(f);
  }
  EXPECT_FALSE(OpenAlarmStateStore(path_).ok());
}

TEST(FormatHistoryTest, OneLinePerTransition) {
  HistoryEntry e{"age",
                 TimePoint(std::chrono::seconds(0)),
                 AlarmState::kOk,
                 AlarmState::kAlarm,
                 "Threshold Crossed",
                 {5, 4}};
  EXPECT_EQ(FormatHistory({e}),
            "1970-01-01T00:00:00Z  age  OK -> ALARM  [5.0, 4.0]  Threshold Crossed\n");
  EXPECT_EQ(FormatHistory({}), "no alarm transitions recorded\n");
}

}  // namespace
}  // namespace pictor::alarm
