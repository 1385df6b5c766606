// Single-threaded SQS semantics of the SQLite queue, driven by a hand-moved clock.
#include <gtest/gtest.h>

#include <set>

#include "queue/sqlite/sqlite_queue.h"
#include "queue_fixture.h"

namespace pictor::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// "m<i>". Built by appending: GCC 12 at -O2 warns falsely (-Wrestrict) on "m" + to_string(i).
std::string Numbered(int i) {
  std::string body = "m";
  body += std::to_string(i);
  return body;
}

TEST_F(QueueTest, SendReceiveDeleteRoundTrip) {
  auto queue = Open();
  auto sent = queue->Send(Message("hello"));
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  EXPECT_EQ(sent->md5_of_body, "5d41402abc4b2a76b9719d911017c592");
  EXPECT_EQ(sent->message_id.size(), 36u);
  EXPECT_EQ(sent->message_id[14], '4');

  auto got = queue->Receive(Take(1));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 1u);
  const ReceivedMessage& m = got->front();
  EXPECT_EQ(m.message_id, sent->message_id);
  EXPECT_EQ(m.body, "hello");
  EXPECT_EQ(m.receive_count, 1);
  EXPECT_EQ(m.sent_timestamp_ms, NowMs());
  EXPECT_EQ(m.first_receive_timestamp_ms, NowMs());
  EXPECT_FALSE(m.receipt_handle.empty());

  ASSERT_TRUE(queue->Delete(m.receipt_handle).ok());
  Advance(seconds(60));
  auto again = queue->Receive(Take(10));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
}

TEST_F(QueueTest, MessageIdsAreUnique) {
  auto queue = Open();
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) ids.insert(queue->Send(Message("m"))->message_id);
  EXPECT_EQ(ids.size(), 100u);
}

TEST_F(QueueTest, BatchOfTenIsSentInOrder) {
  auto queue = Open();
  std::vector<OutgoingMessage> batch;
  for (int i = 0; i < 10; ++i) batch.push_back(Message(Numbered(i)));
  auto sent = queue->SendBatch(batch);
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  ASSERT_EQ(sent->size(), 10u);
  for (const auto& r : *sent) EXPECT_TRUE(r.ok());
  auto got = queue->Receive(Take(10));
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 10u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ((*got)[i].body, Numbered(i));
    EXPECT_EQ((*got)[i].message_id, (*sent)[i]->message_id);
  }
}

TEST_F(QueueTest, EmptyBatchIsRefused) {
  auto queue = Open();
  auto sent = queue->SendBatch({});
  ASSERT_FALSE(sent.ok());
  EXPECT_TRUE(sent.status().IsInvalidArgument());
}

TEST_F(QueueTest, BatchReportsBadEntriesAndKeepsGoodOnes) {
  auto queue = Open();
  std::vector<OutgoingMessage> batch{Message("good"), Message(""), Message("late", seconds(901))};
  auto sent = queue->SendBatch(batch);
  ASSERT_TRUE(sent.ok());
  EXPECT_TRUE((*sent)[0].ok());
  EXPECT_TRUE((*sent)[1].status().IsInvalidArgument());
  EXPECT_TRUE((*sent)[2].status().IsInvalidArgument());
  EXPECT_EQ(queue->Attributes()->visible, 1);
}

TEST_F(QueueTest, ReceiveReturnsAtMostMaxMessages) {
  auto queue = Open();
  for (int i = 0; i < 15; ++i) ASSERT_TRUE(queue->Send(Message("m")).ok());
  EXPECT_EQ(queue->Receive(Take(10))->size(), 10u);
  EXPECT_EQ(queue->Receive(Take(10))->size(), 5u);
  EXPECT_EQ(queue->Receive(Take(10))->size(), 0u);
}

TEST_F(QueueTest, ReceiveRejectsOutOfRangeOptions) {
  auto queue = Open();
  EXPECT_TRUE(queue->Receive(Take(0)).status().IsInvalidArgument());
  EXPECT_TRUE(queue->Receive(Take(11)).status().IsInvalidArgument());
  EXPECT_TRUE(queue->Receive(Take(1, seconds(43201))).status().IsInvalidArgument());
  EXPECT_TRUE(queue->Receive(Take(1, seconds(-1))).status().IsInvalidArgument());
  ReceiveOptions long_wait = Take(1);
  long_wait.wait = milliseconds(20001);
  EXPECT_TRUE(queue->Receive(long_wait).status().IsInvalidArgument());
}

TEST_F(QueueTest, VisibilityTimeoutHidesThenRedelivers) {
  auto queue = Open();
  ASSERT_TRUE(queue->Send(Message("job")).ok());
  auto first = queue->Receive(Take(1, seconds(30)));
  ASSERT_EQ(first->size(), 1u);
  Advance(seconds(29));
  EXPECT_TRUE(queue->Receive(Take(1))->empty());
  Advance(seconds(1));
  auto second = queue->Receive(Take(1));
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ(second->front().message_id, first->front().message_id);
  EXPECT_EQ(second->front().receive_count, 2);
  EXPECT_EQ(second->front().first_receive_timestamp_ms, first->front().first_receive_timestamp_ms);
  EXPECT_NE(second->front().receipt_handle, first->front().receipt_handle);
}

TEST_F(QueueTest, StaleHandleAfterRedeliveryIsRefused) {
  auto queue = Open();
  ASSERT_TRUE(queue->Send(Message("job")).ok());
  auto first = queue->Receive(Take(1, seconds(10)));
  Advance(seconds(10));
  auto second = queue->Receive(Take(1, seconds(10)));
  ASSERT_EQ(second->size(), 1u);
  const std::string stale = first->front().receipt_handle;
  EXPECT_EQ(queue->Delete(stale).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(queue->ChangeVisibility(stale, seconds(0)).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(queue->DeadLetter(stale, "x").code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(queue->Delete(second->front().receipt_handle).ok());
}

TEST_F(QueueTest, UnknownHandleIsRefused) {
  auto queue = Open();
  EXPECT_EQ(queue->Delete("nonsense").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(queue->Delete("1.0123456789abcdef").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(queue->Delete("").code(), StatusCode::kFailedPrecondition);
}

TEST_F(QueueTest, DeleteTwiceIsRefusedTheSecondTime) {
  auto queue = Open();
  ASSERT_TRUE(queue->Send(Message("job")).ok());
  auto got = queue->Receive(Take(1));
  ASSERT_TRUE(queue->Delete(got->front().receipt_handle).ok());
  EXPECT_EQ(queue->Delete(got->front().receipt_handle).code(), StatusCode::kFailedPrecondition);
}

TEST_F(QueueTest, DeleteAfterExpiryBeforeRedeliveryIsAllowed) {
  auto queue = Open();
  ASSERT_TRUE(queue->Send(Message("job")).ok());
  auto got = queue->Receive(Take(1, seconds(5)));
  Advance(seconds(60));
  EXPECT_TRUE(queue->Delete(got->front().receipt_handle).ok());
  EXPECT_TRUE(queue->Receive(Take(1))->empty());
}

TEST_F(QueueTest, ChangeVisibilityExtendsHiding) {
  auto queue = Open();
  ASSERT_TRUE(queue->Send(Message("job")).ok());
  auto got = queue->Receive(Take(1, seconds(10)));
  Advance(seconds(5));
  ASSERT_TRUE(queue->ChangeVisibility(got->front().receipt_handle, seconds(100)).ok());
  Advance(seconds(99));
  EXPECT_TRUE(queue->Receive(Take(1))->empty());
  Advance(seconds(1));
  EXPECT_EQ(queue->Receive(Take(1))->size(), 1u);
}

TEST_F(QueueTest, ChangeVisibilityRejectsOutOfRange) {
  auto queue = Open();
  ASSERT_TRUE(queue->Send(Message("job")).ok());
  auto got = queue->Receive(Take(1));
  EXPECT_TRUE(
      queue->ChangeVisibility(got->front().receipt_handle, seconds(43201)).IsInvalidArgument());
}

TEST_F(QueueTest, DeadLettersAfterMaxReceiveCountWithReason) {
  SqliteQueueOptions options = Options();
  options.max_receive_count = 3;
  auto queue = Open(options);
  auto sent = queue->Send(Message("poison"));
  for (int i = 1; i <= 3; ++i) {
    auto got = queue->Receive(Take(1, seconds(0)));
    ASSERT_EQ(got->size(), 1u) << "receive " << i;
    EXPECT_EQ(got->front().receive_count, i);
  }
  EXPECT_TRUE(queue->Receive(Take(1))->empty());
  auto attributes = queue->Attributes();
  EXPECT_EQ(attributes->visible + attributes->in_flight, 0);
  EXPECT_EQ(attributes->dead_lettered, 1);
  auto dead = ListDeadLetters(options);
  ASSERT_TRUE(dead.ok()) << dead.status().ToString();
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ(dead->front().message_id, sent->message_id);
  EXPECT_EQ(dead->front().body, "poison");
  EXPECT_EQ(dead->front().receive_count, 3);
  EXPECT_EQ(dead->front().reason, "received 3 times without being deleted (maxReceiveCount 3)");
}

TEST_F(QueueTest, DeadLetteringDoesNotStarveTheBatch) {
  SqliteQueueOptions options = Options();
  options.max_receive_count = 1;
  auto queue = Open(options);
  ASSERT_TRUE(queue->Send(Message("poison")).ok());
  ASSERT_EQ(queue->Receive(Take(1, seconds(0)))->size(), 1u);
  ASSERT_TRUE(queue->Send(Message("fresh")).ok());
  auto got = queue->Receive(Take(1));
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ(got->front().body, "fresh");
}

TEST_F(QueueTest, DeadLetterMovesAtOnceKeepingReason) {
  auto queue = Open();
  ASSERT_TRUE(queue->Send(Message("bad prompt")).ok());
  auto got = queue->Receive(Take(1));
  ASSERT_TRUE(queue->DeadLetter(got->front().receipt_handle, "model refused the prompt").ok());
  auto attributes = queue->Attributes();
  EXPECT_EQ(attributes->in_flight, 0);
  EXPECT_EQ(attributes->dead_lettered, 1);
  auto dead = ListDeadLetters(Options());
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ(dead->front().reason, "model refused the prompt");
  EXPECT_EQ(dead->front().receive_count, 1);
  EXPECT_EQ(dead->front().dead_lettered_timestamp_ms, NowMs());
}

TEST_F(QueueTest, DelayedMessageIsHiddenUntilItsDelayPasses) {
  auto queue = Open();
  ASSERT_TRUE(queue->Send(Message("later", seconds(60))).ok());
  EXPECT_TRUE(queue->Receive(Take(1))->empty());
  EXPECT_EQ(queue->Attributes()->delayed, 1);
  Advance(seconds(60));
  EXPECT_EQ(queue->Receive(Take(1))->size(), 1u);
}

TEST_F(QueueTest, DelayOutOfRangeIsRefused) {
  auto queue = Open();
  EXPECT_TRUE(queue->Send(Message("m", seconds(901))).status().IsInvalidArgument());
  EXPECT_TRUE(queue->Send(Message("m", seconds(-1))).status().IsInvalidArgument());
  EXPECT_TRUE(queue->Send(Message("m", seconds(900))).ok());
}

TEST_F(QueueTest, RetentionDropsOldMessages) {
  SqliteQueueOptions options = Options();
  options.retention = seconds(3600);
  auto queue = Open(options);
  ASSERT_TRUE(queue->Send(Message("old")).ok());
  Advance(seconds(1800));
  ASSERT_TRUE(queue->Send(Message("young")).ok());
  Advance(seconds(1801));
  auto got = queue->Receive(Take(10));
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ(got->front().body, "young");
}

TEST_F(QueueTest, AttributesCountEveryState) {
  auto queue = Open();
  EXPECT_EQ(queue->Attributes()->oldest_age_seconds, 0);
  ASSERT_TRUE(queue->Send(Message("a")).ok());
  Advance(seconds(10));
  ASSERT_TRUE(queue->Send(Message("b")).ok());
  ASSERT_TRUE(queue->Send(Message("c")).ok());
  ASSERT_TRUE(queue->Send(Message("d", seconds(100))).ok());
  auto got = queue->Receive(Take(1));  // takes "a", the oldest
  ASSERT_EQ(got->front().body, "a");
  ASSERT_TRUE(queue->Send(Message("e")).ok());
  auto e = queue->Receive(Take(1));  // takes "b"
  ASSERT_TRUE(queue->DeadLetter(e->front().receipt_handle, "bad").ok());
  Advance(seconds(5));

  auto attributes = queue->Attributes();
  ASSERT_TRUE(attributes.ok());
  EXPECT_EQ(attributes->visible, 2);    // c, e
  EXPECT_EQ(attributes->in_flight, 1);  // a
  EXPECT_EQ(attributes->delayed, 1);    // d
  EXPECT_EQ(attributes->dead_lettered, 1);
  EXPECT_EQ(attributes->oldest_age_seconds, 15);  // a, in flight, still counts

  ASSERT_TRUE(queue->Delete(got->front().receipt_handle).ok());
  EXPECT_EQ(queue->Attributes()->oldest_age_seconds, 5);
}

TEST_F(QueueTest, BodyMustBeValidUtf8) {
  auto queue = Open();
  EXPECT_TRUE(queue->Send(Message("\xff")).status().IsInvalidArgument());
  EXPECT_TRUE(queue->Send(Message("\xc3")).status().IsInvalidArgument());          // truncated
  EXPECT_TRUE(queue->Send(Message("\xc0\xaf")).status().IsInvalidArgument());      // overlong
  EXPECT_TRUE(queue->Send(Message("\xed\xa0\x80")).status().IsInvalidArgument());  // surrogate
  EXPECT_TRUE(queue->Send(Message(std::string("a\0b", 3))).status().IsInvalidArgument());
  EXPECT_TRUE(queue->Send(Message("caf\xc3\xa9 \xf0\x9f\x8e\xa8 \xe6\x97\xa5\t\n")).ok());
}

TEST_F(QueueTest, EmptyBodyIsRefused) {
  auto queue = Open();
  EXPECT_TRUE(queue->Send(Message("")).status().IsInvalidArgument());
}

TEST_F(QueueTest, OversizedBodyIsRefusedAndMaximumAccepted) {
  auto queue = Open();
  EXPECT_TRUE(
      queue->Send(Message(std::string(kMaxMessageBytes + 1, 'x'))).status().IsInvalidArgument());
  ASSERT_TRUE(queue->Send(Message(std::string(kMaxMessageBytes, 'x'))).ok());
  auto got = queue->Receive(Take(1));
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ(got->front().body.size(), kMaxMessageBytes);
}

TEST_F(QueueTest, ReopeningKeepsEverything) {
  std::string in_flight_handle;
  {
    auto queue = Open();
    ASSERT_TRUE(queue->Send(Message("taken")).ok());
    ASSERT_TRUE(queue->Send(Message("dead")).ok());
    ASSERT_TRUE(queue->Send(Message("visible")).ok());
    in_flight_handle = queue->Receive(Take(1))->front().receipt_handle;
    auto dead = queue->Receive(Take(1));
    ASSERT_EQ(dead->front().body, "dead");
    ASSERT_TRUE(queue->DeadLetter(dead->front().receipt_handle, "r").ok());
  }
  auto queue = Open();
  auto attributes = queue->Attributes();
  EXPECT_EQ(attributes->visible, 1);
  EXPECT_EQ(attributes->in_flight, 1);
  EXPECT_EQ(attributes->dead_lettered, 1);
  EXPECT_TRUE(queue->Delete(in_flight_handle).ok());
}

TEST_F(QueueTest, ListingDeadLettersOfAMissingQueueIsNotFound) {
  EXPECT_TRUE(ListDeadLetters(Options()).status().IsNotFound());
  EXPECT_FALSE(std::filesystem::exists(Path()));
}

TEST_F(QueueTest, NameIsTheFileName) { EXPECT_EQ(Open()->Name(), "queue.db"); }

TEST_F(QueueTest, OpenRejectsBadOptions) {
  SqliteQueueOptions options = Options();
  options.max_receive_count = 0;
  EXPECT_TRUE(OpenSqliteQueue(options).status().IsInvalidArgument());
  options = Options();
  options.path.clear();
  EXPECT_TRUE(OpenSqliteQueue(options).status().IsInvalidArgument());
}

TEST_F(QueueTest, OpenReportsDamagedFileAsDataLoss) {
  std::filesystem::create_directories(dir_ / "sub");
  {
    std::FILE* f = std::fopen(Path().c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::string junk(8192, 'j');
    std::fwrite(junk.data(), 1, junk.size(), f);
    std::fclose(f);
  }
  auto queue = OpenSqliteQueue(Options());
  ASSERT_FALSE(queue.ok());
  EXPECT_EQ(queue.status().code(), StatusCode::kDataLoss) << queue.status().ToString();
}

}  // namespace
}  // namespace pictor::testing
