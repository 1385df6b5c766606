// The SpendLedger contract run against each adapter: SQLite, the store ledger on the file store,
// on S3 (fauxqs) and on the in-memory store, and the in-memory fake.
#include <memory>
#include <vector>

#include "aws/aws_client.h"
#include "aws/credentials.h"

#include "contract/spend_ledger_contract.h"
#include "contract/temp_dir.h"
#include "fakes/memory_spend_ledger.h"
#include "fakes/memory_store.h"
#include "net/http_client.h"
#include "peers/peer_process.h"
#include "pictor/spend_ledger_wrapper.h"
#include "spend/sqlite/sqlite_spend_ledger.h"
#include "spend/store/store_spend_ledger.h"
#include "store/file/file_store.h"
#include "store/s3/s3_store.h"

namespace pictor::testing {
namespace {

class SqliteSpendUnderTest final : public SpendLedgerUnderTest {
 public:
  static Result<std::unique_ptr<SpendLedgerUnderTest>> Open() {
    auto self = std::unique_ptr<SqliteSpendUnderTest>(new SqliteSpendUnderTest);
    if (Status s = self->dir_.Make(); !s.ok()) return s;
    auto ledger = OpenSqliteSpendLedger(self->Path());
    if (!ledger.ok()) return ledger.status();
    self->ledger_ = std::move(ledger).value();
    return std::unique_ptr<SpendLedgerUnderTest>(std::move(self));
  }
  ~SqliteSpendUnderTest() override { ledger_.reset(); }
  SpendLedger& ledger() override { return *ledger_; }
  std::unique_ptr<SpendLedger> OpenAnother() override {
    auto ledger = OpenSqliteSpendLedger(Path());
    EXPECT_TRUE(ledger.ok()) << ledger.status().ToString();
    return ledger.ok() ? std::move(ledger).value() : nullptr;
  }

 private:
  SqliteSpendUnderTest() = default;
  std::string Path() const { return (dir_.path() / "queue.ledger.db").string(); }
  TempDir dir_;
  std::unique_ptr<SpendLedger> ledger_;
};

class StoreSpendUnderTest final : public SpendLedgerUnderTest {
 public:
  static Result<std::unique_ptr<SpendLedgerUnderTest>> OnFileStore() {
    auto self = std::unique_ptr<StoreSpendUnderTest>(new StoreSpendUnderTest);
    if (Status s = self->dir_.Make(); !s.ok()) return s;
    auto store = OpenFileStore(self->dir_.path().string());
    if (!store.ok()) return store.status();
    self->store_ = std::move(store).value();
    return OpenLedger(std::move(self));
  }
  // A bucket on a fauxqs of its own, for the length of one test.
  static Result<std::unique_ptr<SpendLedgerUnderTest>> OnS3() {
    auto self = std::unique_ptr<StoreSpendUnderTest>(new StoreSpendUnderTest);
    auto peer = StartFauxqs();
    if (!peer.ok()) return peer.status();
    self->peer_ = std::move(peer).value();
    aws::AwsClient client({"s3", "us-east-1", self->peer_->base_url(), true}, *self->http_,
                          self->credentials_);
    aws::AwsRequest request;
    request.method = "PUT";
    request.path = "/contract";
    if (auto made = client.Send(request); !made.ok()) return made.status();
    S3StoreOptions options;
    options.bucket = "contract";
    options.region = "us-east-1";
    options.endpoint = self->peer_->base_url();
    auto store = OpenS3Store(options, *self->http_, self->credentials_);
    if (!store.ok()) return store.status();
    self->store_ = std::move(store).value();
    return OpenLedger(std::move(self));
  }
  static Result<std::unique_ptr<SpendLedgerUnderTest>> OnMemoryStore() {
    auto self = std::unique_ptr<StoreSpendUnderTest>(new StoreSpendUnderTest);
    self->store_ = std::make_unique<MemoryStore>();
    return OpenLedger(std::move(self));
  }
  SpendLedger& ledger() override { return *ledger_; }
  std::unique_ptr<SpendLedger> OpenAnother() override {
    auto ledger = OpenStoreSpendLedger(*store_, "images");
    EXPECT_TRUE(ledger.ok()) << ledger.status().ToString();
    return ledger.ok() ? std::move(ledger).value() : nullptr;
  }

 private:
  StoreSpendUnderTest() = default;
  static Result<std::unique_ptr<SpendLedgerUnderTest>> OpenLedger(
      std::unique_ptr<StoreSpendUnderTest> self) {
    auto ledger = OpenStoreSpendLedger(*self->store_, "images");
    if (!ledger.ok()) return ledger.status();
    self->ledger_ = std::move(ledger).value();
    return std::unique_ptr<SpendLedgerUnderTest>(std::move(self));
  }

  TempDir dir_;
  std::unique_ptr<PeerProcess> peer_;
  std::unique_ptr<net::HttpClient> http_ = net::NewHttpClient();
  aws::CredentialsProvider credentials_{[] {
    return Result<aws::TimedCredentials>(aws::TimedCredentials{{"test", "test", ""}, {}, "t"});
  }};
  std::unique_ptr<ObjectStore> store_;  // after what it borrows: destroyed first
  std::unique_ptr<SpendLedger> ledger_;
};

class MemorySpendUnderTest final : public SpendLedgerUnderTest {
 public:
  SpendLedger& ledger() override { return ledger_; }
  // The fake's charges live in the one object: a second handle on them forwards to it.
  std::unique_ptr<SpendLedger> OpenAnother() override {
    return std::make_unique<SpendLedgerWrapper>(ledger_);
  }

 private:
  MemorySpendLedger ledger_;
};

INSTANTIATE_TEST_SUITE_P(
    Adapters, SpendLedgerContract,
    ::testing::Values(
        SpendLedgerAdapter{"Sqlite", SqliteSpendUnderTest::Open, true},
        SpendLedgerAdapter{"StoreOnFileStore", StoreSpendUnderTest::OnFileStore, false},
        SpendLedgerAdapter{"StoreOnS3", StoreSpendUnderTest::OnS3, false},
        SpendLedgerAdapter{"StoreOnMemoryStore", StoreSpendUnderTest::OnMemoryStore, false},
        SpendLedgerAdapter{"MemoryFake",
                           []() -> Result<std::unique_ptr<SpendLedgerUnderTest>> {
                             return std::unique_ptr<SpendLedgerUnderTest>(new MemorySpendUnderTest);
                           },
                           true}),
    [](const ::testing::TestParamInfo<SpendLedgerAdapter>& info) { return info.param.name; });

}  // namespace
}  // namespace pictor::testing
