// JobQueue::Defer on the SQLite queue, and the queue under a real full-file fault.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <optional>

#include "queue/sqlite/sqlite_queue.h"
#include "queue_fixture.h"
#include "unit/sqlite/file_size_limit.h"

namespace pictor::testing {
namespace {

using std::chrono::seconds;

// A deferred message is hidden for the delay, then comes back with its receive given back and
// one more deferral: deferring it more often than maxReceiveCount never dead-letters it.
TEST_F(QueueTest, DeferHidesForTheDelayAndGivesTheReceiveBack) {
  SqliteQueueOptions options = Options();
  options.max_receive_count = 2;
  auto queue = Open(options);
  auto sent = queue->Send(Message("full disk"));
  ASSERT_TRUE(sent.ok());
  for (int i = 0; i < 5; ++i) {
    auto received = queue->Receive(Take(1));
    ASSERT_TRUE(received.ok()) << received.status().ToString();
    ASSERT_EQ(received->size(), 1u) << "deferral " << i;
    const ReceivedMessage& m = received->front();
    EXPECT_EQ(m.message_id, sent->message_id);
    EXPECT_EQ(m.receive_count, 1);
    EXPECT_EQ(m.deferrals, i);
    ASSERT_TRUE(queue->Defer(m, seconds(600)).ok());
    Advance(seconds(599));
    EXPECT_TRUE(queue->Receive(Take(1))->empty());
    EXPECT_EQ(queue->Attributes()->delayed, 1);  // waiting, like a message sent with a delay
    Advance(seconds(1));
  }
  auto last = queue->Receive(Take(1));
  ASSERT_EQ(last->size(), 1u);
  EXPECT_EQ(last->front().deferrals, 5);
  EXPECT_TRUE(queue->Delete(last->front().receipt_handle).ok());
  EXPECT_EQ(queue->Attributes()->dead_lettered, 0);
}

TEST_F(QueueTest, DeferRefusesAStaleHandleAndADelayBeyondFifteenMinutes) {
  auto queue = Open();
  ASSERT_TRUE(queue->Send(Message("m")).ok());
  ReceivedMessage first = queue->Receive(Take(1, seconds(1)))->front();
  EXPECT_EQ(queue->Defer(first, seconds(901)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(queue->Defer(first, seconds(-1)).code(), StatusCode::kInvalidArgument);
  Advance(seconds(1));
  ReceivedMessage second = queue->Receive(Take(1))->front();
  EXPECT_EQ(queue->Defer(first, seconds(10)).code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(queue->Defer(second, kMaxDeferDelay).ok());
}

// A queue file made before Defer existed (schema version 1, no deferrals column) opens, keeps its
// messages, and defers them.
TEST_F(QueueTest, QueueFileFromSchemaVersionOneGainsDeferrals) {
  std::filesystem::create_directories(dir_ / "sub");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(Path().c_str(), &db), SQLITE_OK);
  const char* v1 = R"sql(
    PRAGMA journal_mode=WAL;
    CREATE TABLE messages(seq INTEGER PRIMARY KEY, message_id TEXT NOT NULL, body TEXT NOT NULL,
      md5 TEXT NOT NULL, sent_ms INTEGER NOT NULL, visible_at_ms INTEGER NOT NULL,
      receive_count INTEGER NOT NULL DEFAULT 0, first_receive_ms INTEGER NOT NULL DEFAULT 0,
      receipt TEXT);
    CREATE INDEX messages_by_visibility ON messages(visible_at_ms);
    CREATE TABLE dead_letters(id INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT NOT NULL,
      body TEXT NOT NULL, md5 TEXT NOT NULL, sent_ms INTEGER NOT NULL,
      receive_count INTEGER NOT NULL, first_receive_ms INTEGER NOT NULL,
      dead_lettered_ms INTEGER NOT NULL, reason TEXT NOT NULL);
    PRAGMA user_version=1;
    INSERT INTO messages(message_id, body, md5, sent_ms, visible_at_ms)
      VALUES('old-1', 'from v1', 'x', 1700000000000, 1700000000000);)sql";
  ASSERT_EQ(sqlite3_exec(db, v1, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);

  auto queue = Open();
  ASSERT_NE(queue, nullptr);
  auto received = queue->Receive(Take(1));
  ASSERT_TRUE(received.ok()) << received.status().ToString();
  ASSERT_EQ(received->size(), 1u);
  EXPECT_EQ(received->front().body, "from v1");
  EXPECT_EQ(received->front().deferrals, 0);
  ASSERT_TRUE(queue->Defer(received->front(), seconds(0)).ok());
  EXPECT_EQ(queue->Receive(Take(1))->front().deferrals, 1);
}

// A real storage fault: a child process whose files may not grow past a limit (RLIMIT_FSIZE, so
// writes fail with EFBIG as on a full disk) sends until the queue file cannot grow. The send fails
// as exhaustion (ResourceExhausted: retryable, a fault of the system), not as a bug (Internal), a
// bad message, or a broken server (Unavailable); the ledger's test expects the same.
TEST_F(QueueTest, FileThatCannotGrowFailsSendsAsAFaultOfTheSystem) {
  ASSERT_NE(Open(), nullptr);  // created with its schema before the limit
  const std::string outcome =
      FirstFailureWithFileSizeLimit(256 * 1024, [&]() -> std::optional<StatusCode> {
        auto queue = OpenSqliteQueue(Options());
        if (!queue.ok()) return queue.status().code();
        const std::string body(60 * 1024, 'x');
        for (int i = 0; i < 100; ++i) {
          auto sent = (*queue)->Send(Message(body));
          if (!sent.ok()) return sent.status().code();
        }
        return std::nullopt;
      });
  EXPECT_EQ(outcome, "resource_exhausted");
}

}  // namespace
}  // namespace pictor::testing
