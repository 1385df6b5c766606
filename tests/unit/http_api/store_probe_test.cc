// GET /readyz's store probe: one write and delete per interval, the last answer kept.
#include "http/store_probe.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "fakes/memory_store.h"

namespace pictor::http {
namespace {

using namespace std::chrono_literals;
using pictor::testing::MemoryStore;

TEST(StoreProbeTest, WritesAndDeletesOneProbeObjectWhereImagesGo) {
  MemoryStore store;
  StoreProbe probe(store, "cand/", 0ms);
  EXPECT_TRUE(probe.Check().ok());
  EXPECT_EQ(store.puts.load(), 1);
  EXPECT_EQ(store.size(), 0u);  // deleted again
}

TEST(StoreProbeTest, ProbesAtMostOncePerIntervalAcrossThreads) {
  MemoryStore store;
  StoreProbe probe(store, "", 1h);
  std::vector<std::thread> callers;
  for (int t = 0; t < 8; ++t) {
    callers.emplace_back([&] {
      for (int i = 0; i < 100; ++i) EXPECT_TRUE(probe.Check().ok());
    });
  }
  for (auto& c : callers) c.join();
  EXPECT_EQ(store.puts.load(), 1);
}

TEST(StoreProbeTest, AFailureIsKeptForTheIntervalThenProbedAgain) {
  MemoryStore store;
  store.FailNextPuts(1);
  StoreProbe cached(store, "", 1h);
  Status first = cached.Check();
  EXPECT_EQ(first.code(), StatusCode::kUnavailable) << first.ToString();
  EXPECT_FALSE(cached.Check().ok());  // the kept answer: no second put
  EXPECT_EQ(store.puts.load(), 1);

  store.FailNextPuts(1);
  StoreProbe every_time(store, "", 0ms);
  EXPECT_FALSE(every_time.Check().ok());
  EXPECT_TRUE(every_time.Check().ok());  // repaired: the next probe sees it
}

}  // namespace
}  // namespace pictor::http
