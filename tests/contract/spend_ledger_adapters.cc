// The SpendLedger contract run against each adapter: SQLite, the store ledger on the file store,
// on S3 (fauxqs) and on the in-memory store, and the in-memory fake (port_under_test.h).
#include <memory>
#include <string>
#include <utility>

#include "contract/port_under_test.h"
#include "contract/spend_ledger_contract.h"
#include "fakes/memory_spend_ledger.h"
#include "pictor/spend_ledger_wrapper.h"
#include "spend/sqlite/sqlite_spend_ledger.h"
#include "spend/store/store_spend_ledger.h"

namespace pictor::testing {
namespace {

Result<std::unique_ptr<SpendLedger>> OpenOnStore(ObjectStore& store, std::string prefix) {
  return OpenStoreSpendLedger(store, std::move(prefix));
}

using Sqlite = SqliteUnderTest<SpendLedger, OpenSqliteSpendLedger>;
using Store = StoreUnderTest<SpendLedger, OpenOnStore>;
using Fake = FakeUnderTest<SpendLedger, MemorySpendLedger, SpendLedgerWrapper>;

INSTANTIATE_TEST_SUITE_P(
    Adapters, SpendLedgerContract,
    ::testing::Values(SpendLedgerAdapter{"Sqlite", Sqlite::Open, true},
                      SpendLedgerAdapter{"StoreOnFileStore", Store::OnFileStore, false},
                      SpendLedgerAdapter{"StoreOnS3", Store::OnS3, false},
                      SpendLedgerAdapter{"StoreOnMemoryStore", Store::OnMemoryStore, false},
                      SpendLedgerAdapter{"MemoryFake", Fake::Open, true}),
    [](const ::testing::TestParamInfo<SpendLedgerAdapter>& info) { return info.param.name; });

}  // namespace
}  // namespace pictor::testing
