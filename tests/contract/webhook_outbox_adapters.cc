// The WebhookOutbox contract run against each adapter: SQLite (the ledger's file), the store
// outbox on the file store, on S3 (fauxqs) and on the in-memory store, and the in-memory fake
// (port_under_test.h).
#include <memory>

#include "contract/port_under_test.h"
#include "contract/webhook_outbox_contract.h"
#include "fakes/memory_webhook_outbox.h"
#include "outbox/sqlite/sqlite_webhook_outbox.h"
#include "outbox/store/store_webhook_outbox.h"
#include "pictor/webhook_outbox_wrapper.h"

namespace pictor::testing {
namespace {

using Sqlite = SqliteUnderTest<WebhookOutbox, OpenSqliteWebhookOutbox>;
using Store = StoreUnderTest<WebhookOutbox, OpenStoreWebhookOutbox>;
using Fake = FakeUnderTest<WebhookOutbox, MemoryWebhookOutbox, WebhookOutboxWrapper>;

INSTANTIATE_TEST_SUITE_P(
    Adapters, WebhookOutboxContract,
    ::testing::Values(WebhookOutboxAdapter{"Sqlite", Sqlite::Open},
                      WebhookOutboxAdapter{"StoreOnFileStore", Store::OnFileStore},
                      WebhookOutboxAdapter{"StoreOnS3", Store::OnS3},
                      WebhookOutboxAdapter{"StoreOnMemoryStore", Store::OnMemoryStore},
                      WebhookOutboxAdapter{"MemoryFake", Fake::Open}),
    [](const ::testing::TestParamInfo<WebhookOutboxAdapter>& info) { return info.param.name; });

}  // namespace
}  // namespace pictor::testing
