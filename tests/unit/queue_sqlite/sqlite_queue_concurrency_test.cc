// The SQLite queue under concurrency: long polls, many threads, several queue objects (as
// several processes would have) on one file.
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "queue/sqlite/sqlite_queue.h"
#include "queue_fixture.h"

namespace pictor::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

ReceiveOptions LongPoll(milliseconds wait, int n = 1) {
  ReceiveOptions options = Take(n, seconds(300));
  options.wait = wait;
  return options;
}

void SendMany(JobQueue& queue, int count) {
  std::vector<OutgoingMessage> batch;
  for (int i = 0; i < count; ++i) {
    batch.push_back(Message("job " + std::to_string(i)));
    if (batch.size() == static_cast<size_t>(kMaxBatch) || i + 1 == count) {
      auto sent = queue.SendBatch(batch);
      ASSERT_TRUE(sent.ok()) << sent.status().ToString();
      batch.clear();
    }
  }
}

// Receives (and optionally deletes) until a receive comes back empty; returns the ids seen.
std::vector<std::string> Drain(JobQueue& queue, bool delete_each) {
  std::vector<std::string> ids;
  for (;;) {
    auto got = queue.Receive(Take(kMaxBatch, seconds(300)));
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    if (!got.ok() || got->empty()) return ids;
    for (const ReceivedMessage& m : *got) {
      ids.push_back(m.message_id);
      if (delete_each) {
        Status deleted = queue.Delete(m.receipt_handle);
        EXPECT_TRUE(deleted.ok()) << deleted.ToString();
      }
    }
  }
}

TEST_F(QueueTest, LongPollReturnsWhenAnotherThreadSends) {
  auto queue = Open();
  const auto start = Clock::now();
  std::thread sender([&] {
    std::this_thread::sleep_for(milliseconds(100));  // lets the receiver start waiting first
    ASSERT_TRUE(queue->Send(Message("wake up")).ok());
  });
  auto got = queue->Receive(LongPoll(seconds(20)));
  const auto elapsed = Clock::now() - start;
  sender.join();
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ(got->front().body, "wake up");
  EXPECT_LT(elapsed, seconds(10));  // far below the 20 s wait
}

TEST_F(QueueTest, LongPollTimesOutWhenNobodySends) {
  auto queue = Open();
  const auto start = Clock::now();
  auto got = queue->Receive(LongPoll(milliseconds(300)));
  const auto elapsed = Clock::now() - start;
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());
  EXPECT_GE(elapsed, milliseconds(300));
  EXPECT_LT(elapsed, seconds(10));
}

TEST_F(QueueTest, LongPollSeesMessagesFromAnotherQueueObject) {
  auto waiter = Open();
  auto other = Open();
  std::thread sender([&] {
    std::this_thread::sleep_for(milliseconds(100));
    ASSERT_TRUE(other->Send(Message("from elsewhere")).ok());
  });
  const auto start = Clock::now();
  auto got = waiter->Receive(LongPoll(seconds(20)));
  const auto elapsed = Clock::now() - start;
  sender.join();
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_LT(elapsed, seconds(10));
}

TEST_F(QueueTest, TwoQueueObjectsOnOneFileNeverDeliverAMessageTwice) {
  auto first = Open();
  auto second = Open();
  SendMany(*first, 500);
  std::vector<std::string> a, b;
  std::thread ta([&] { a = Drain(*first, /*delete_each=*/false); });
  std::thread tb([&] { b = Drain(*second, /*delete_each=*/false); });
  ta.join();
  tb.join();
  std::set<std::string> all(a.begin(), a.end());
  all.insert(b.begin(), b.end());
  EXPECT_EQ(a.size() + b.size(), 500u);
  EXPECT_EQ(all.size(), 500u);
}

TEST_F(QueueTest, EightThreadsReceiveEachOfAThousandMessagesExactlyOnce) {
  auto queue = Open();
  SendMany(*queue, 1000);
  std::mutex ids_mutex;  // guards ids
  std::vector<std::string> ids;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      std::vector<std::string> mine = Drain(*queue, /*delete_each=*/true);
      std::lock_guard lock(ids_mutex);
      ids.insert(ids.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ids.size(), 1000u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 1000u);
  auto attributes = queue->Attributes();
  EXPECT_EQ(attributes->visible + attributes->in_flight, 0);
}

TEST_F(QueueTest, ConcurrentLongPollersShareMessagesWithoutDuplicates) {
  auto queue = Open();
  std::mutex ids_mutex;  // guards ids
  std::vector<std::string> ids;
  std::vector<std::thread> pollers;
  for (int t = 0; t < 4; ++t) {
    pollers.emplace_back([&] {
      for (;;) {
        auto got = queue->Receive(LongPoll(milliseconds(500), kMaxBatch));
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        if (got->empty()) return;
        std::lock_guard lock(ids_mutex);
        for (const auto& m : *got) ids.push_back(m.message_id);
      }
    });
  }
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(queue->Send(Message("m")).ok());
  for (auto& t : pollers) t.join();
  EXPECT_EQ(ids.size(), 200u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 200u);
}

}  // namespace
}  // namespace pictor::testing
