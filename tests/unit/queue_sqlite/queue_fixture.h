// Test fixture for the SQLite queue: a fresh temporary directory per test and a clock the
// test moves by hand, so visibility timeouts, delays and retention need no sleeping.
#ifndef PICTOR_TESTS_UNIT_QUEUE_SQLITE_QUEUE_FIXTURE_H_
#define PICTOR_TESTS_UNIT_QUEUE_SQLITE_QUEUE_FIXTURE_H_

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "queue/sqlite/sqlite_queue.h"

namespace pictor::testing {

class QueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "pictor-queue-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    clock_ = std::make_shared<std::atomic<int64_t>>(1'700'000'000'000);
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::string Path() const { return (dir_ / "sub" / "queue.db").string(); }

  SqliteQueueOptions Options() const {
    SqliteQueueOptions options;
    options.path = Path();
    options.now_ms = [clock = clock_] { return clock->load(); };
    return options;
  }

  std::unique_ptr<JobQueue> Open(SqliteQueueOptions options) {
    auto queue = OpenSqliteQueue(options);
    EXPECT_TRUE(queue.ok()) << queue.status().ToString();
    return queue.ok() ? std::move(*queue) : nullptr;
  }
  std::unique_ptr<JobQueue> Open() { return Open(Options()); }

  void Advance(std::chrono::milliseconds by) { *clock_ += by.count(); }
  int64_t NowMs() const { return clock_->load(); }

  std::filesystem::path dir_;
  std::shared_ptr<std::atomic<int64_t>> clock_;
};

inline OutgoingMessage Message(std::string body, std::chrono::seconds delay = {}) {
  return OutgoingMessage{std::move(body), delay};
}

inline ReceiveOptions Take(int n, std::chrono::seconds visibility = std::chrono::seconds(30)) {
  ReceiveOptions options;
  options.max_messages = n;
  options.visibility_timeout = visibility;
  return options;
}

}  // namespace pictor::testing

#endif  // PICTOR_TESTS_UNIT_QUEUE_SQLITE_QUEUE_FIXTURE_H_
