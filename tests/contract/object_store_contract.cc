#include "contract/object_store_contract.h"

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace pictor::testing {

void ObjectStoreContract::SetUp() {
  auto opened = GetParam().open();
  ASSERT_TRUE(opened.ok()) << GetParam().name << ": " << opened.status().ToString();
  under_test_ = std::move(opened).value();
}

namespace {

// Every byte value, twice: stores are binary-safe.
std::string BinaryPayload() {
  std::string data;
  for (int round = 0; round < 2; ++round) {
    for (int b = 0; b < 256; ++b) data += static_cast<char>(b);
  }
  return data;
}

}  // namespace

TEST_P(ObjectStoreContract, PutThenGetReturnsTheBytesAndTheirDescription) {
  const std::string data = BinaryPayload();
  ASSERT_TRUE(store().Put("images/one.png", data, "image/png").ok());
  auto object = store().Get("images/one.png");
  ASSERT_TRUE(object.ok()) << object.status().ToString();
  EXPECT_EQ(object->data, data);
  EXPECT_EQ(object->info.key, "images/one.png");
  EXPECT_EQ(object->info.size, data.size());
  EXPECT_EQ(object->info.content_type, "image/png");
  EXPECT_TRUE(object->info.etag.size() > 2 && object->info.etag.front() == '"' &&
              object->info.etag.back() == '"')
      << object->info.etag;
}

TEST_P(ObjectStoreContract, HeadDescribesWhatGetReturns) {
  ASSERT_TRUE(store().Put("h.png", "12345", "image/png").ok());
  auto info = store().Head("h.png");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  auto object = store().Get("h.png");
  ASSERT_TRUE(object.ok());
  EXPECT_EQ(info->key, "h.png");
  EXPECT_EQ(info->size, 5u);
  EXPECT_EQ(info->content_type, "image/png");
  EXPECT_EQ(info->etag, object->info.etag);
}

TEST_P(ObjectStoreContract, PutReplacesAndChangesTheEtag) {
  ASSERT_TRUE(store().Put("k.txt", "first", "text/plain").ok());
  const std::string first_etag = store().Head("k.txt")->etag;
  ASSERT_TRUE(store().Put("k.txt", "second, longer", "application/json").ok());
  auto object = store().Get("k.txt");
  ASSERT_TRUE(object.ok());
  EXPECT_EQ(object->data, "second, longer");
  EXPECT_EQ(object->info.content_type, "application/json");
  EXPECT_NE(object->info.etag, first_etag);
}

TEST_P(ObjectStoreContract, AMissingObjectIsNotFound) {
  EXPECT_TRUE(store().Get("no/such.png").status().IsNotFound());
  EXPECT_TRUE(store().Head("no/such.png").status().IsNotFound());
}

TEST_P(ObjectStoreContract, DeleteRemovesAndARepeatedDeleteIsHarmless) {
  ASSERT_TRUE(store().Put("d.png", "x", "image/png").ok());
  ASSERT_TRUE(store().Delete("d.png").ok());
  EXPECT_TRUE(store().Get("d.png").status().IsNotFound());
  EXPECT_TRUE(store().Head("d.png").status().IsNotFound());
  EXPECT_TRUE(store().Delete("d.png").ok());
  EXPECT_TRUE(store().Delete("never/was.png").ok());
}

TEST_P(ObjectStoreContract, ListGivesThePrefixsKeysInOrderUpToTheLimit) {
  for (const char* key : {"b/2.png", "a/1.png", "b/1.png", "b/3.png", "bb/1.png", "c.png"}) {
    ASSERT_TRUE(store().Put(key, key, "image/png").ok()) << key;
  }
  auto under_b = store().List("b/", 100);
  ASSERT_TRUE(under_b.ok()) << under_b.status().ToString();
  std::vector<std::string> keys;
  for (const auto& info : *under_b) keys.push_back(info.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"b/1.png", "b/2.png", "b/3.png"}));
  EXPECT_EQ((*under_b)[0].size, 7u);
  auto first_two = store().List("b", 2);
  ASSERT_TRUE(first_two.ok());
  ASSERT_EQ(first_two->size(), 2u);
  EXPECT_EQ((*first_two)[0].key, "b/1.png");
  EXPECT_EQ((*first_two)[1].key, "b/2.png");
  auto all = store().List("", 100);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 6u);
  EXPECT_TRUE(store().List("z/", 10)->empty());
}

// Paging a prefix with ListAfter from each page's last key visits every key once, in order.
TEST_P(ObjectStoreContract, ListAfterStartsAfterTheGivenKey) {
  for (const char* key : {"p/1", "p/2", "p/3", "p/3a", "p/4", "q/1", "o/9"}) {
    ASSERT_TRUE(store().Put(key, key, "text/plain").ok()) << key;
  }
  std::vector<std::string> keys;
  std::string after;
  for (int page = 0; page < 10; ++page) {
    auto listed = store().ListAfter("p/", after, 2);
    ASSERT_TRUE(listed.ok()) << listed.status().ToString();
    if (listed->empty()) break;
    for (const auto& info : *listed) keys.push_back(info.key);
    after = listed->back().key;
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"p/1", "p/2", "p/3", "p/3a", "p/4"}));
  // A position between keys, or before the prefix, starts at the next key under the prefix.
  auto between = store().ListAfter("p/", "p/2z", 10);
  ASSERT_TRUE(between.ok());
  ASSERT_EQ(between->size(), 3u);
  EXPECT_EQ((*between)[0].key, "p/3");
  auto before = store().ListAfter("p/", "a", 1);
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->size(), 1u);
  EXPECT_EQ((*before)[0].key, "p/1");
  EXPECT_TRUE(store().ListAfter("p/", "p/4", 10)->empty());
}

TEST_P(ObjectStoreContract, PutIfAbsentStoresOnceAndKeepsTheFirst) {
  ASSERT_TRUE(store().PutIfAbsent("claim.json", "first", "application/json").ok());
  Status second = store().PutIfAbsent("claim.json", "second", "application/json");
  EXPECT_EQ(second.code(), StatusCode::kAlreadyExists) << second.ToString();
  auto claimed = store().Get("claim.json");
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  EXPECT_EQ(claimed->data, "first");
  EXPECT_EQ(claimed->info.content_type, "application/json");
  // Whoever wrote the object and however: a plain Put counts too.
  ASSERT_TRUE(store().Put("plain.json", "put", "application/json").ok());
  EXPECT_EQ(store().PutIfAbsent("plain.json", "x", "application/json").code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(store().Get("plain.json")->data, "put");
  // Once deleted, the key can be claimed again.
  ASSERT_TRUE(store().Delete("claim.json").ok());
  EXPECT_TRUE(store().PutIfAbsent("claim.json", "third", "application/json").ok());
}

// The compare-and-set: of writers racing for one key through separate store objects, exactly
// one wins, and readers see its whole object.
TEST_P(ObjectStoreContract, WritersRacingForOneKeyHaveExactlyOneWinner) {
  constexpr int kWriters = 8;
  std::vector<std::unique_ptr<ObjectStore>> stores;
  for (int i = 0; i < kWriters; ++i) {
    stores.push_back(under_test_->OpenAnother());
    ASSERT_NE(stores.back(), nullptr);
  }
  std::atomic<int> ready{0};
  std::mutex mu;
  std::vector<std::pair<int, Status>> answers;  // guarded by mu
  std::vector<std::thread> writers;
  for (int i = 0; i < kWriters; ++i) {
    writers.emplace_back([&, i] {
      ready.fetch_add(1);
      while (ready.load() < kWriters) std::this_thread::yield();  // start together
      Status s = stores[i]->PutIfAbsent("race/claim.json", "writer " + std::to_string(i),
                                        "application/json");
      std::lock_guard lock(mu);
      answers.emplace_back(i, s);
    });
  }
  for (auto& t : writers) t.join();
  int winner = -1;
  for (const auto& [i, s] : answers) {
    if (s.ok()) {
      EXPECT_EQ(winner, -1) << "writers " << winner << " and " << i << " both won";
      winner = i;
    } else {
      EXPECT_EQ(s.code(), StatusCode::kAlreadyExists) << s.ToString();
    }
  }
  ASSERT_NE(winner, -1) << "nobody won";
  EXPECT_EQ(store().Get("race/claim.json")->data, "writer " + std::to_string(winner));
}

TEST_P(ObjectStoreContract, BadKeysAreRefusedBeforeAnythingIsWritten) {
  for (const char* key : {"", "/abs.png", "a//b.png", "a/../b.png", "./a.png", "a/"}) {
    EXPECT_TRUE(store().Put(key, "x", "image/png").IsInvalidArgument()) << '"' << key << '"';
    EXPECT_TRUE(store().PutIfAbsent(key, "x", "image/png").IsInvalidArgument()) << key;
    EXPECT_TRUE(store().Delete(key).IsInvalidArgument()) << key;
  }
  EXPECT_TRUE(store().List("", 100)->empty());
}

TEST_P(ObjectStoreContract, UnicodeKeysRoundTrip) {
  const std::string key = "bilder/katt på månen ✨.png";
  ASSERT_TRUE(store().Put(key, "png", "image/png").ok());
  EXPECT_EQ(store().Get(key)->data, "png");
  auto listed = store().List("bilder/", 10);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].key, key);
}

}  // namespace pictor::testing
