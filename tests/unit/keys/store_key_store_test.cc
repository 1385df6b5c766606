#include "keys/store/store_key_store.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "core/api_key.h"
#include "core/digest.h"
#include "fakes/memory_store.h"
#include "keys/store/key_record_json.h"
#include "pictor/object_store_wrapper.h"

namespace pictor {
namespace {

using testing::MemoryStore;

ApiKeyRecord Record(const std::string& name) {
  ApiKeyRecord r;
  r.name = name;
  r.hash = HashApiKey(name);
  r.created_ms = 1700000000000;
  return r;
}

class StoreKeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto keys = OpenStoreKeyStore(store_, "images/");
    ASSERT_TRUE(keys.ok()) << keys.status().ToString();
    keys_ = std::move(keys).value();
  }

  MemoryStore store_;
  std::unique_ptr<KeyStore> keys_;
};

TEST_F(StoreKeyStoreTest, KeepsEachKeyAtPrefixKeysNameJson) {
  ASSERT_TRUE(keys_->Create(Record("ci")).ok());
  auto object = store_.Get("images/keys/ci.json");
  ASSERT_TRUE(object.ok()) << object.status().ToString();
  EXPECT_EQ(object->info.content_type, "application/json");
  auto decoded = keys_store::DecodeKeyRecord(object->data);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, Record("ci"));
}

TEST_F(StoreKeyStoreTest, EmptySegmentsOfThePrefixAreDroppedAndAnEmptyPrefixMeansKeys) {
  auto nested = OpenStoreKeyStore(store_, "/a//b/");
  ASSERT_TRUE(nested.ok());
  ASSERT_TRUE((*nested)->Create(Record("x")).ok());
  EXPECT_TRUE(store_.Head("a/b/keys/x.json").ok());
  auto top = OpenStoreKeyStore(store_, "");
  ASSERT_TRUE(top.ok());
  ASSERT_TRUE((*top)->Create(Record("y")).ok());
  EXPECT_TRUE(store_.Head("keys/y.json").ok());
}

TEST_F(StoreKeyStoreTest, APrefixThatCannotBeginAKeyIsRefused) {
  for (const char* prefix : {"..", "a/../b", "a/./b", "a\nb"}) {
    auto opened = OpenStoreKeyStore(store_, prefix);
    EXPECT_TRUE(opened.status().IsInvalidArgument()) << prefix;
  }
}

TEST_F(StoreKeyStoreTest, ADamagedRecordIsDataLossForGetAndForList) {
  ASSERT_TRUE(keys_->Create(Record("good")).ok());
  ASSERT_TRUE(store_.Put("images/keys/bad.json", "{\"version\":1", "application/json").ok());
  EXPECT_EQ(keys_->Get("bad").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(keys_->List().status().code(), StatusCode::kDataLoss);
  EXPECT_TRUE(keys_->Get("good").ok());
}

TEST_F(StoreKeyStoreTest, ARecordFiledUnderAnotherNameIsDataLoss) {
  ASSERT_TRUE(
      store_.Put("images/keys/admin.json", keys_store::EncodeKeyRecord(Record("ci")), "").ok());
  auto got = keys_->Get("admin");
  EXPECT_EQ(got.status().code(), StatusCode::kDataLoss) << got.status().ToString();
  EXPECT_EQ(keys_->List().status().code(), StatusCode::kDataLoss);
}

TEST_F(StoreKeyStoreTest, ObjectsThatCannotBeKeysAreNotListed) {
  ASSERT_TRUE(keys_->Create(Record("ci")).ok());
  for (const char* key : {"images/keys/README", "images/keys/Upper.json", "images/keys/sub/x.json",
                          "images/keys/.json", "images/keysx/y.json"}) {
    ASSERT_TRUE(store_.Put(key, "not a record", "text/plain").ok()) << key;
  }
  auto all = keys_->List();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(all->front().name, "ci");
}

TEST_F(StoreKeyStoreTest, AnOversizedObjectIsNotParsedAndIsDataLoss) {
  std::string huge = keys_store::EncodeKeyRecord(Record("big"));
  huge.insert(huge.size() - 1, ",\"padding\":\"" + std::string(70 * 1024, 'x') + "\"");
  ASSERT_TRUE(store_.Put("images/keys/big.json", huge, "application/json").ok());
  auto got = keys_->Get("big");
  EXPECT_EQ(got.status().code(), StatusCode::kDataLoss) << got.status().ToString();
  EXPECT_NE(got.status().message().find("too large"), std::string::npos);
}

// An authenticator must never get part of the set: past the bound, List fails as a whole.
TEST_F(StoreKeyStoreTest, MoreObjectsThanTheBoundFailListInsteadOfCuttingItShort) {
  for (size_t i = 0; i < kMaxStoreKeys; ++i) {
    ASSERT_TRUE(store_.Put("images/keys/k" + std::to_string(i) + ".json", "{}", "").ok());
  }
  // Exactly the bound is still read (and these objects are not records: DataLoss, not a cut).
  EXPECT_EQ(keys_->List().status().code(), StatusCode::kDataLoss);
  ASSERT_TRUE(store_.Put("images/keys/one-more.json", "{}", "").ok());
  auto all = keys_->List();
  EXPECT_EQ(all.status().code(), StatusCode::kResourceExhausted) << all.status().ToString();
}

TEST_F(StoreKeyStoreTest, AFailedWriteCreatesNothing) {
  store_.FailNextPuts(1, StatusCode::kUnavailable);
  Status s = keys_->Create(Record("ci"));
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_NE(s.message().find("ci"), std::string::npos) << s.message();
  EXPECT_TRUE(keys_->Get("ci").status().IsNotFound());
  EXPECT_TRUE(keys_->Create(Record("ci")).ok());
}

TEST_F(StoreKeyStoreTest, AFailedUpdateLeavesTheRecordAsItWas) {
  ASSERT_TRUE(keys_->Create(Record("ci")).ok());
  ApiKeyRecord revoked = Record("ci");
  revoked.revoked_ms = 1700000001000;
  store_.FailNextPuts(1, StatusCode::kUnavailable);
  EXPECT_EQ(keys_->Update(revoked).code(), StatusCode::kUnavailable);
  auto got = keys_->Get("ci");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->revoked_ms, 0);
}

// A store whose PutIfAbsent stores the object and then answers AlreadyExists, as an adapter that
// retried after a lost reply can: the key store recognises its own record by the hash.
class RetriedPutIfAbsent final : public ObjectStoreWrapper {
 public:
  using ObjectStoreWrapper::ObjectStoreWrapper;
  Status PutIfAbsent(std::string_view key, std::string_view data,
                     std::string_view content_type) override {
    Status first = ObjectStoreWrapper::PutIfAbsent(key, data, content_type);
    if (!first.ok()) return first;
    return Status::AlreadyExists("stored by the first attempt");
  }
};

TEST_F(StoreKeyStoreTest, ARetriedCreateThatFindsItsOwnRecordSucceeds) {
  RetriedPutIfAbsent retried(store_);
  auto keys = OpenStoreKeyStore(retried, "images");
  ASSERT_TRUE(keys.ok());
  EXPECT_TRUE((*keys)->Create(Record("ci")).ok());
  ApiKeyRecord other = Record("ci");
  other.hash = HashApiKey("another key");
  EXPECT_EQ((*keys)->Create(other).code(), StatusCode::kAlreadyExists);
}

// The memory store's ETags as an MD5 of its own tag, so they have the shape of S3's (and change
// exactly when the fake's do); counts the GETs that reach the store.
class Md5TaggedStore final : public ObjectStoreWrapper {
 public:
  using ObjectStoreWrapper::ObjectStoreWrapper;
  Result<StoredObject> Get(std::string_view key) override {
    gets.push_back(std::string(key));
    auto object = ObjectStoreWrapper::Get(key);
    if (object.ok()) object->info.etag = Tag(object->info.etag);
    return object;
  }
  Result<std::vector<ObjectInfo>> List(std::string_view prefix, size_t max_keys) override {
    auto listed = ObjectStoreWrapper::List(prefix, max_keys);
    if (listed.ok()) {
      for (ObjectInfo& info : *listed) info.etag = Tag(info.etag);
    }
    return listed;
  }
  std::vector<std::string> gets;

 private:
  static std::string Tag(const std::string& etag) { return "\"" + Md5Hex(etag) + "\""; }
};

TEST_F(StoreKeyStoreTest, ListRereadsOnlyTheRecordsWhoseTagChanged) {
  Md5TaggedStore tagged(store_);
  auto keys = OpenStoreKeyStore(tagged, "images");
  ASSERT_TRUE(keys.ok());
  for (const char* name : {"a", "b", "c"}) ASSERT_TRUE(keys_->Create(Record(name)).ok());
  ASSERT_EQ((*keys)->List()->size(), 3u);
  EXPECT_EQ(tagged.gets.size(), 3u);

  tagged.gets.clear();
  ASSERT_EQ((*keys)->List()->size(), 3u);
  EXPECT_TRUE(tagged.gets.empty()) << tagged.gets.size() << " records read again unchanged";

  ApiKeyRecord b = Record("b");
  b.revoked_ms = 1700000001000;
  ASSERT_TRUE(keys_->Update(b).ok());  // another key store object: another process
  tagged.gets.clear();
  auto listed = (*keys)->List();
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(tagged.gets, std::vector<std::string>{"images/keys/b.json"});
  EXPECT_EQ((*listed)[1], b);
}

TEST_F(StoreKeyStoreTest, ListRereadsEveryRecordWhenTagsAreNotContentHashes) {
  for (const char* name : {"a", "b"}) ASSERT_TRUE(keys_->Create(Record(name)).ok());
  testing::MemoryStore* plain = &store_;  // its tags are not MD5s
  class Counting final : public ObjectStoreWrapper {
   public:
    using ObjectStoreWrapper::ObjectStoreWrapper;
    Result<StoredObject> Get(std::string_view key) override {
      ++gets;
      return ObjectStoreWrapper::Get(key);
    }
    int gets = 0;
  } counting(*plain);
  auto keys = OpenStoreKeyStore(counting, "images");
  ASSERT_TRUE(keys.ok());
  ASSERT_TRUE((*keys)->List().ok());
  ASSERT_TRUE((*keys)->List().ok());
  EXPECT_EQ(counting.gets, 4);
}

TEST_F(StoreKeyStoreTest, ARecordRemovedBehindTheStoreLeavesTheList) {
  Md5TaggedStore tagged(store_);
  auto keys = OpenStoreKeyStore(tagged, "images");
  ASSERT_TRUE(keys.ok());
  for (const char* name : {"a", "b"}) ASSERT_TRUE(keys_->Create(Record(name)).ok());
  ASSERT_EQ((*keys)->List()->size(), 2u);
  ASSERT_TRUE(store_.Delete("images/keys/a.json").ok());
  auto listed = (*keys)->List();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().name, "b");
}

}  // namespace
}  // namespace pictor
