// The KeyStore contract run against each adapter: SQLite, the store key store on the file
// store, on S3 (fauxqs) and on the in-memory store.
#include <memory>
#include <vector>

#include "contract/fauxqs_bucket.h"
#include "contract/key_store_contract.h"
#include "contract/temp_dir.h"
#include "fakes/memory_store.h"
#include "keys/sqlite/sqlite_key_store.h"
#include "keys/store/store_key_store.h"
#include "pictor/object_store_wrapper.h"
#include "store/file/file_store.h"

namespace pictor::testing {
namespace {

class SqliteKeyStoreUnderTest final : public KeyStoreUnderTest {
 public:
  static Result<std::unique_ptr<KeyStoreUnderTest>> Open() {
    auto self = std::unique_ptr<SqliteKeyStoreUnderTest>(new SqliteKeyStoreUnderTest);
    if (Status s = self->dir_.Make(); !s.ok()) return s;
    self->keys_ = self->OpenAnother();
    if (self->keys_ == nullptr) return Status::Internal("the SQLite key store did not open");
    return std::unique_ptr<KeyStoreUnderTest>(std::move(self));
  }
  ~SqliteKeyStoreUnderTest() override { keys_.reset(); }
  KeyStore& keys() override { return *keys_; }
  std::unique_ptr<KeyStore> OpenAnother() override {
    auto keys = OpenSqliteKeyStore((dir_.path() / "jobs.db").string());
    EXPECT_TRUE(keys.ok()) << keys.status().ToString();
    return keys.ok() ? std::move(keys).value() : nullptr;
  }

 private:
  SqliteKeyStoreUnderTest() = default;
  TempDir dir_;
  std::unique_ptr<KeyStore> keys_;
};

// The store key store over an ObjectStore; OpenAnother opens another store object on the same
// objects (another directory handle, another S3 client, a wrapper around the fake) when it can.
class StoreKeyStoreUnderTest final : public KeyStoreUnderTest {
 public:
  static Result<std::unique_ptr<KeyStoreUnderTest>> OnFileStore() {
    auto self = std::unique_ptr<StoreKeyStoreUnderTest>(new StoreKeyStoreUnderTest);
    if (Status s = self->dir_.Make(); !s.ok()) return s;
    self->open_store_ = [dir = self->dir_.path().string()]() -> std::unique_ptr<ObjectStore> {
      auto store = OpenFileStore(dir);
      EXPECT_TRUE(store.ok()) << store.status().ToString();
      return store.ok() ? std::move(store).value() : nullptr;
    };
    return Finish(std::move(self));
  }

  static Result<std::unique_ptr<KeyStoreUnderTest>> OnMemoryStore() {
    auto self = std::unique_ptr<StoreKeyStoreUnderTest>(new StoreKeyStoreUnderTest);
    auto* memory = new MemoryStore;
    self->stores_.emplace_back(memory);
    self->open_store_ = [memory] { return std::make_unique<ObjectStoreWrapper>(*memory); };
    return Finish(std::move(self));
  }

  // A bucket on a fauxqs of its own, for the length of one test (fauxqs_bucket.h).
  static Result<std::unique_ptr<KeyStoreUnderTest>> OnS3() {
    auto self = std::unique_ptr<StoreKeyStoreUnderTest>(new StoreKeyStoreUnderTest);
    auto bucket = FauxqsBucket::Start("keys-contract");
    if (!bucket.ok()) return bucket.status();
    self->bucket_ = std::move(bucket).value();
    self->open_store_ = [bucket = self->bucket_.get()]() -> std::unique_ptr<ObjectStore> {
      auto store = bucket->OpenStore();
      EXPECT_TRUE(store.ok()) << store.status().ToString();
      return store.ok() ? std::move(store).value() : nullptr;
    };
    return Finish(std::move(self));
  }

  ~StoreKeyStoreUnderTest() override {
    key_stores_.clear();  // before the stores they borrow
    stores_.clear();
  }
  KeyStore& keys() override { return *key_stores_.front(); }
  std::unique_ptr<KeyStore> OpenAnother() override {
    std::unique_ptr<ObjectStore> store = open_store_();
    if (store == nullptr) return nullptr;
    auto keys = OpenStoreKeyStore(*store, "tenant/");
    EXPECT_TRUE(keys.ok()) << keys.status().ToString();
    stores_.push_back(std::move(store));  // outlives the key store: the test's go first
    return keys.ok() ? std::move(keys).value() : nullptr;
  }

 private:
  StoreKeyStoreUnderTest() = default;
  static Result<std::unique_ptr<KeyStoreUnderTest>> Finish(
      std::unique_ptr<StoreKeyStoreUnderTest> self) {
    std::unique_ptr<KeyStore> keys = self->OpenAnother();
    if (keys == nullptr) return Status::Internal("the key store did not open");
    self->key_stores_.push_back(std::move(keys));
    return std::unique_ptr<KeyStoreUnderTest>(std::move(self));
  }

  TempDir dir_;
  // Destroyed in reverse: key stores, then the stores they borrow, then the bucket (S3 only).
  std::unique_ptr<FauxqsBucket> bucket_;
  std::vector<std::unique_ptr<ObjectStore>> stores_;
  std::vector<std::unique_ptr<KeyStore>> key_stores_;
  std::function<std::unique_ptr<ObjectStore>()> open_store_;
};

INSTANTIATE_TEST_SUITE_P(
    Adapters, KeyStoreContract,
    ::testing::Values(KeyStoreAdapter{"Sqlite", SqliteKeyStoreUnderTest::Open},
                      KeyStoreAdapter{"StoreOnFileStore", StoreKeyStoreUnderTest::OnFileStore},
                      KeyStoreAdapter{"StoreOnS3Fauxqs", StoreKeyStoreUnderTest::OnS3},
                      KeyStoreAdapter{"StoreOnMemoryStore", StoreKeyStoreUnderTest::OnMemoryStore}),
    [](const ::testing::TestParamInfo<KeyStoreAdapter>& info) { return info.param.name; });

}  // namespace
}  // namespace pictor::testing
