// The ObjectStore contract run against each adapter: the file store, S3 on fauxqs, and the
// in-memory fake.
#include <memory>

#include "contract/fauxqs_bucket.h"
#include "contract/object_store_contract.h"
#include "contract/temp_dir.h"
#include "fakes/memory_store.h"
#include "pictor/object_store_wrapper.h"
#include "store/file/file_store.h"
#include "store/s3/s3_store.h"

namespace pictor::testing {
namespace {

class FileStoreUnderTest final : public StoreUnderTest {
 public:
  static Result<std::unique_ptr<StoreUnderTest>> Open() {
    auto self = std::unique_ptr<FileStoreUnderTest>(new FileStoreUnderTest);
    if (Status s = self->dir_.Make(); !s.ok()) return s;
    auto store = OpenFileStore(self->dir_.path().string());
    if (!store.ok()) return store.status();
    self->store_ = std::move(store).value();
    return std::unique_ptr<StoreUnderTest>(std::move(self));
  }
  ObjectStore& store() override { return *store_; }
  std::unique_ptr<ObjectStore> OpenAnother() override {
    auto store = OpenFileStore(dir_.path().string());
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

 private:
  FileStoreUnderTest() = default;
  TempDir dir_;
  std::unique_ptr<ObjectStore> store_;
};

// A bucket on a fauxqs of its own, for the length of one test (fauxqs_bucket.h).
class S3StoreUnderTest final : public StoreUnderTest {
 public:
  static Result<std::unique_ptr<StoreUnderTest>> Open() {
    auto self = std::unique_ptr<S3StoreUnderTest>(new S3StoreUnderTest);
    auto bucket = FauxqsBucket::Start("contract");
    if (!bucket.ok()) return bucket.status();
    self->bucket_ = std::move(bucket).value();
    self->store_ = self->OpenAnother();
    if (self->store_ == nullptr) return Status::Internal("the S3 store did not open");
    return std::unique_ptr<StoreUnderTest>(std::move(self));
  }
  ObjectStore& store() override { return *store_; }
  std::unique_ptr<ObjectStore> OpenAnother() override {
    auto store = bucket_->OpenStore();
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

 private:
  S3StoreUnderTest() = default;
  // Outlives every store this object opened (a test's stores go before it does).
  std::unique_ptr<FauxqsBucket> bucket_;
  std::unique_ptr<ObjectStore> store_;
};

// The fake keeps its objects in itself, so "another" store on the same objects is a bare
// forwarding wrapper around it.
class MemoryStoreUnderTest final : public StoreUnderTest {
 public:
  ObjectStore& store() override { return store_; }
  std::unique_ptr<ObjectStore> OpenAnother() override {
    return std::make_unique<ObjectStoreWrapper>(store_);
  }

 private:
  MemoryStore store_;
};

INSTANTIATE_TEST_SUITE_P(
    Adapters, ObjectStoreContract,
    ::testing::Values(StoreAdapter{"FileStore", FileStoreUnderTest::Open},
                      StoreAdapter{"S3OnFauxqs", S3StoreUnderTest::Open},
                      StoreAdapter{"MemoryFake",
                                   []() -> Result<std::unique_ptr<StoreUnderTest>> {
                                     return std::unique_ptr<StoreUnderTest>(
                                         new MemoryStoreUnderTest);
                                   }}),
    [](const ::testing::TestParamInfo<StoreAdapter>& info) { return info.param.name; });

}  // namespace
}  // namespace pictor::testing
