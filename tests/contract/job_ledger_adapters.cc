// The JobLedger contract run against each adapter: SQLite, the store ledger on the file store,
// on S3 (a fauxqs of its own per test) and on the in-memory store, and the in-memory fake.
#include <memory>
#include <vector>

#include "contract/fauxqs_bucket.h"
#include "contract/job_ledger_contract.h"
#include "contract/temp_dir.h"
#include "fakes/memory_ledger.h"
#include "fakes/memory_store.h"
#include "ledger/sqlite/sqlite_ledger.h"
#include "ledger/store/store_ledger.h"
#include "store/file/file_store.h"

namespace pictor::testing {
namespace {

class SqliteLedgerUnderTest final : public LedgerUnderTest {
 public:
  static Result<std::unique_ptr<LedgerUnderTest>> Open() {
    auto self = std::unique_ptr<SqliteLedgerUnderTest>(new SqliteLedgerUnderTest);
    if (Status s = self->dir_.Make(); !s.ok()) return s;
    auto ledger = OpenSqliteLedger(self->Path());
    if (!ledger.ok()) return ledger.status();
    self->ledger_ = std::move(ledger).value();
    return std::unique_ptr<LedgerUnderTest>(std::move(self));
  }
  ~SqliteLedgerUnderTest() override { ledger_.reset(); }
  JobLedger& ledger() override { return *ledger_; }
  std::unique_ptr<JobLedger> OpenAnother() override {
    auto ledger = OpenSqliteLedger(Path());
    EXPECT_TRUE(ledger.ok()) << ledger.status().ToString();
    return ledger.ok() ? std::move(ledger).value() : nullptr;
  }

 private:
  SqliteLedgerUnderTest() = default;
  std::string Path() const { return (dir_.path() / "jobs.db").string(); }
  TempDir dir_;
  std::unique_ptr<JobLedger> ledger_;
};

// The store ledger over `store`, which it keeps.
class StoreLedgerUnderTest final : public LedgerUnderTest {
 public:
  static Result<std::unique_ptr<LedgerUnderTest>> OnFileStore() {
    auto self = std::unique_ptr<StoreLedgerUnderTest>(new StoreLedgerUnderTest);
    if (Status s = self->dir_.Make(); !s.ok()) return s;
    auto store = OpenFileStore(self->dir_.path().string());
    if (!store.ok()) return store.status();
    self->store_ = std::move(store).value();
    return OpenLedger(std::move(self));
  }
  // A bucket on a fauxqs of its own; each ledger object gets a store with its own HTTP client,
  // as separate processes would have.
  static Result<std::unique_ptr<LedgerUnderTest>> OnS3() {
    auto self = std::unique_ptr<StoreLedgerUnderTest>(new StoreLedgerUnderTest);
    auto bucket = FauxqsBucket::Start("ledger-contract");
    if (!bucket.ok()) return bucket.status();
    self->bucket_ = std::move(bucket).value();
    auto store = self->bucket_->OpenStore();
    if (!store.ok()) return store.status();
    self->store_ = std::move(store).value();
    return OpenLedger(std::move(self));
  }
  static Result<std::unique_ptr<LedgerUnderTest>> OnMemoryStore() {
    auto self = std::unique_ptr<StoreLedgerUnderTest>(new StoreLedgerUnderTest);
    self->store_ = std::make_unique<MemoryStore>();
    return OpenLedger(std::move(self));
  }
  JobLedger& ledger() override { return *ledger_; }
  std::unique_ptr<JobLedger> OpenAnother() override {
    ObjectStore* store = store_.get();
    if (bucket_ != nullptr) {
      auto s3 = bucket_->OpenStore();
      EXPECT_TRUE(s3.ok()) << s3.status().ToString();
      if (!s3.ok()) return nullptr;
      store = other_stores_.emplace_back(std::move(s3).value()).get();
    }
    auto ledger = OpenStoreLedger(*store, "jobs");
    EXPECT_TRUE(ledger.ok()) << ledger.status().ToString();
    return ledger.ok() ? std::move(ledger).value() : nullptr;
  }

 private:
  StoreLedgerUnderTest() = default;
  static Result<std::unique_ptr<LedgerUnderTest>> OpenLedger(
      std::unique_ptr<StoreLedgerUnderTest> self) {
    auto ledger = OpenStoreLedger(*self->store_, "jobs");
    if (!ledger.ok()) return ledger.status();
    self->ledger_ = std::move(ledger).value();
    return std::unique_ptr<LedgerUnderTest>(std::move(self));
  }

  // Declared first, destroyed last: the stores use the bucket's clients, the ledgers the stores.
  std::unique_ptr<FauxqsBucket> bucket_;  // S3 only
  TempDir dir_;
  std::unique_ptr<ObjectStore> store_;
  std::vector<std::unique_ptr<ObjectStore>> other_stores_;  // of OpenAnother's ledgers
  std::unique_ptr<JobLedger> ledger_;
};

class MemoryLedgerUnderTest final : public LedgerUnderTest {
 public:
  JobLedger& ledger() override { return ledger_; }

 private:
  MemoryLedger ledger_;
};

INSTANTIATE_TEST_SUITE_P(
    Adapters, JobLedgerContract,
    ::testing::Values(LedgerAdapter{"Sqlite", SqliteLedgerUnderTest::Open},
                      LedgerAdapter{"StoreLedgerOnFileStore", StoreLedgerUnderTest::OnFileStore},
                      LedgerAdapter{"StoreLedgerOnS3", StoreLedgerUnderTest::OnS3},
                      LedgerAdapter{"StoreLedgerOnMemoryStore",
                                    StoreLedgerUnderTest::OnMemoryStore},
                      LedgerAdapter{"MemoryFake",
                                    []() -> Result<std::unique_ptr<LedgerUnderTest>> {
                                      return std::unique_ptr<LedgerUnderTest>(
                                          new MemoryLedgerUnderTest);
                                    }}),
    [](const ::testing::TestParamInfo<LedgerAdapter>& info) { return info.param.name; });

}  // namespace
}  // namespace pictor::testing
