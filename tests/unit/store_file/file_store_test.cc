#include "store/file/file_store.h"

#include <gtest/gtest.h>

#include "file_store_fixture.h"

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

namespace pictor {
namespace {

namespace fs = std::filesystem;

TEST_F(FileStoreTest, PutThenGetReturnsBytesTypeAndEtag) {
  std::string data("\x89PNG\r\n\x1a\n\0binary", 15);
  ASSERT_TRUE(store_->Put("a/b/c.png", data, "image/png").ok());
  auto obj = store_->Get("a/b/c.png");
  ASSERT_TRUE(obj.ok()) << obj.status().ToString();
  EXPECT_EQ(obj->data, data);
  EXPECT_EQ(obj->info.size, data.size());
  EXPECT_EQ(obj->info.content_type, "image/png");
  EXPECT_EQ(obj->info.etag.front(), '"');
  EXPECT_TRUE(fs::exists(root_ / "a/b/c.png"));
}

TEST_F(FileStoreTest, KeepsAnExplicitContentType) {
  ASSERT_TRUE(store_->Put("x.bin", "{}", "application/vnd.pictor+json").ok());
  EXPECT_EQ(store_->Head("x.bin")->content_type, "application/vnd.pictor+json");
}

TEST_F(FileStoreTest, EtagChangesWithContent) {
  ASSERT_TRUE(store_->Put("k.png", "one", "image/png").ok());
  std::string first = store_->Head("k.png")->etag;
  ASSERT_TRUE(store_->Put("k.png", "two", "image/png").ok());
  EXPECT_NE(store_->Head("k.png")->etag, first);
  EXPECT_EQ(store_->Get("k.png")->data, "two");
}

TEST_F(FileStoreTest, RejectsKeysThatEscapeTheRoot) {
  for (const char* key : {"../escape.png", "/etc/passwd", "a/../../b", "a\nb", ""}) {
    Status s = store_->Put(key, "x", "image/png");
    EXPECT_TRUE(s.IsInvalidArgument()) << key;
    EXPECT_TRUE(store_->Get(key).status().IsInvalidArgument()) << key;
  }
  EXPECT_FALSE(fs::exists(root_.parent_path() / "escape.png"));
}

TEST_F(FileStoreTest, ASegmentLongerThanAFileNameIsABadKeyForWritesAndAbsentForReads) {
  const std::string key = "p/" + std::string(300, 'x') + ".png";
  ASSERT_TRUE(ValidateObjectKey(key).ok());
  EXPECT_TRUE(store_->Put(key, "x", "image/png").IsInvalidArgument());
  EXPECT_TRUE(store_->Get(key).status().IsNotFound());
  EXPECT_TRUE(store_->Delete(key).ok());
}

TEST_F(FileStoreTest, ListsByPrefixInKeyOrderWithALimit) {
  for (const char* key : {"p/generated_images/b.png", "p/generated_images/a.png",
                          "p/generated_images/from_queue/c.png", "q/other.png"}) {
    ASSERT_TRUE(store_->Put(key, "x", "image/png").ok());
  }
  auto all = store_->List("p/generated_images/", 100);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].key, "p/generated_images/a.png");
  EXPECT_EQ((*all)[2].key, "p/generated_images/from_queue/c.png");
  EXPECT_EQ(store_->List("p/", 2)->size(), 2u);
  EXPECT_EQ(store_->List("p/generated_images/a", 10)->size(), 1u);
  EXPECT_TRUE(store_->List("nothing/", 10)->empty());
}

TEST_F(FileStoreTest, LeavesNoTemporaryFilesBehind) {
  ASSERT_TRUE(store_->Put("d/k.png", std::string(100000, 'z'), "image/png").ok());
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(root_)) files += e.is_regular_file();
  EXPECT_EQ(files, 1);
}

TEST_F(FileStoreTest, ConcurrentWritersOfOneKeyNeverTearIt) {
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      std::string body(50000, static_cast<char>('a' + t));
      for (int i = 0; i < 20; ++i) ASSERT_TRUE(store_->Put("same.png", body, "image/png").ok());
    });
  }
  std::thread reader([&] {
    for (int i = 0; i < 200; ++i) {
      auto obj = store_->Get("same.png");
      if (!obj.ok()) continue;
      ASSERT_EQ(obj->data.size(), 50000u);
      ASSERT_EQ(obj->data.find_first_not_of(obj->data[0]), std::string::npos);
    }
  });
  for (auto& w : writers) w.join();
  reader.join();
}

TEST_F(FileStoreTest, PutIfAbsentStoresWhenNothingIsThere) {
  ASSERT_TRUE(store_->PutIfAbsent("claims/a.json", "{\"n\":1}", "application/json").ok());
  auto obj = store_->Get("claims/a.json");
  ASSERT_TRUE(obj.ok()) << obj.status().ToString();
  EXPECT_EQ(obj->data, "{\"n\":1}");
  EXPECT_EQ(obj->info.content_type, "application/json");
  EXPECT_EQ(obj->info.etag.front(), '"');
}

TEST_F(FileStoreTest, PutIfAbsentRejectsBadKeys) {
  for (const char* key : {"../escape.json", "/abs.json", "a//b", ""}) {
    EXPECT_TRUE(store_->PutIfAbsent(key, "x", "").IsInvalidArgument()) << key;
  }
  EXPECT_FALSE(fs::exists(root_.parent_path() / "escape.json"));
}

TEST_F(FileStoreTest, RacingPutIfAbsentHasExactlyOneWinnerAndLeavesNoTemporaries) {
  constexpr int kThreads = 16;
  std::atomic<int> winners{0};
  std::atomic<int> losers{0};
  std::atomic<int> winner{-1};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Status s = store_->PutIfAbsent(
          "race/claim.json", std::string(20000, static_cast<char>('a' + t)), "application/json");
      if (s.ok()) {
        winners.fetch_add(1);
        winner.store(t);
      } else if (s.code() == StatusCode::kAlreadyExists) {
        losers.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(winners.load(), 1);
  EXPECT_EQ(losers.load(), kThreads - 1);
  ASSERT_GE(winner.load(), 0);
  EXPECT_EQ(store_->Get("race/claim.json")->data,
            std::string(20000, static_cast<char>('a' + winner.load())));
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(root_)) files += e.is_regular_file();
  EXPECT_EQ(files, 1);
}

TEST_F(FileStoreTest, DeleteRemovesTheObject) {
  ASSERT_TRUE(store_->Put("d/gone.json", "x", "").ok());
  ASSERT_TRUE(store_->Delete("d/gone.json").ok());
  EXPECT_TRUE(store_->Get("d/gone.json").status().IsNotFound());
  EXPECT_FALSE(fs::exists(root_ / "d/gone.json"));
  // The key is free again, also for PutIfAbsent.
  EXPECT_TRUE(store_->PutIfAbsent("d/gone.json", "back", "").ok());
  EXPECT_EQ(store_->Get("d/gone.json")->data, "back");
}

TEST_F(FileStoreTest, DeletingAMissingObjectIsOk) {
  EXPECT_TRUE(store_->Delete("never.json").ok());
  EXPECT_TRUE(store_->Delete("no/such/dir/never.json").ok());
}

TEST_F(FileStoreTest, DeleteRejectsBadKeys) {
  ASSERT_TRUE(store_->Put("keep.json", "x", "").ok());
  for (const char* key : {"../keep.json", "a/../keep.json", ""}) {
    EXPECT_TRUE(store_->Delete(key).IsInvalidArgument()) << key;
  }
  EXPECT_TRUE(store_->Get("keep.json").ok());
}

TEST(FileStoreOpen, LocationIsAnAbsolutePath) {
  auto store = OpenFileStore("relative-store-dir");
  ASSERT_TRUE(store.ok());
  std::string loc = (*store)->Location("a/b.png");
  EXPECT_EQ(loc.front(), '/');
  EXPECT_NE(loc.find("relative-store-dir/a/b.png"), std::string::npos);
  fs::remove_all("relative-store-dir");
}

}  // namespace
}  // namespace pictor
