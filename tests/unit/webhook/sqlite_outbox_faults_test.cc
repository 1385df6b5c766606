// The SQLite webhook outbox on a full disk: an Add that cannot be kept is refused as
// resource_exhausted (the caller records the webhook as failed), and what was kept before
// stays deliverable once the file is opened again.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string>

#include "outbox/sqlite/sqlite_webhook_outbox.h"
#include "unit/sqlite/file_size_limit.h"

namespace pictor {
namespace {

namespace fs = std::filesystem;

WebhookMessage Numbered(int i) {
  WebhookMessage m;
  m.id = "msg_" + std::to_string(i);
  m.job_id = "job-" + std::to_string(i);
  m.url = "https://hooks.example.com/in";
  m.body = std::string(2000, 'b');  // a page or so per message: the limit is met soon
  m.created_ms = 1700000000000;
  m.next_attempt_ms = 1700000000000;
  return m;
}

TEST(SqliteWebhookOutboxFaults, AFullDiskRefusesTheNewMessageAndKeepsTheOldOnes) {
  const fs::path dir =
      fs::temp_directory_path() / ("pictor-outbox-full-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "ledger.db").string();
  {
    auto outbox = OpenSqliteWebhookOutbox(path);
    ASSERT_TRUE(outbox.ok()) << outbox.status().ToString();
    ASSERT_TRUE((*outbox)->Add(Numbered(0)).ok());
  }
  const std::string outcome =
      testing::FirstFailureWithFileSizeLimit(96 * 1024, [&]() -> std::optional<StatusCode> {
        auto outbox = OpenSqliteWebhookOutbox(path);
        if (!outbox.ok()) return outbox.status().code();
        for (int i = 1; i < 500; ++i) {
          if (Status s = (*outbox)->Add(Numbered(i)); !s.ok()) return s.code();
        }
        return std::nullopt;
      });
  EXPECT_EQ(outcome, "resource_exhausted");

  auto outbox = OpenSqliteWebhookOutbox(path);
  ASSERT_TRUE(outbox.ok()) << outbox.status().ToString();
  auto count = (*outbox)->Count();
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  EXPECT_GE(*count, 1);
  EXPECT_LT(*count, 500);
  auto due = (*outbox)->Claim(1700000000001, 30000, 1000);
  ASSERT_TRUE(due.ok()) << due.status().ToString();
  ASSERT_EQ(static_cast<int64_t>(due->size()), *count);
  EXPECT_EQ(due->front().id, "msg_0");
  EXPECT_EQ(due->front().body, std::string(2000, 'b'));
  // With room again, new messages are kept.
  EXPECT_TRUE((*outbox)->Add(Numbered(1000)).ok());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace pictor
