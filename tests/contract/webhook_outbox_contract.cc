#include "contract/webhook_outbox_contract.h"

#include <string>
#include <vector>

namespace pictor::testing {

void WebhookOutboxContract::SetUp() {
  auto opened = GetParam().open();
  ASSERT_TRUE(opened.ok()) << GetParam().name << ": " << opened.status().ToString();
  under_test_ = std::move(opened).value();
}

namespace {

WebhookMessage Message(const std::string& id, int64_t due_ms) {
  WebhookMessage m;
  m.id = id;
  m.job_id = "job-" + id;
  m.url = "https://hooks.example.com/in?token=t";
  m.body = R"({"id":"job","prompt":"a \"quoted\" prompt\nover two lines"})";
  m.created_ms = 1000;
  m.next_attempt_ms = due_ms;
  return m;
}

TEST_P(WebhookOutboxContract, KeepsAMessageUntilRemovedAndAnotherOpeningSeesIt) {
  WebhookMessage trusted = Message("msg_a", 100);
  trusted.trusted = true;
  trusted.reported = false;
  ASSERT_TRUE(outbox().Add(trusted).ok());
  auto another = under_test_->OpenAnother();
  ASSERT_NE(another, nullptr);
  auto claimed = another->Claim(100, 50, 10);
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ((*claimed)[0], trusted);
  EXPECT_EQ(*outbox().Count(), 1);
  ASSERT_TRUE(another->Remove("msg_a").ok());
  EXPECT_EQ(*outbox().Count(), 0);
  EXPECT_TRUE(outbox().Remove("msg_a").ok());
}

TEST_P(WebhookOutboxContract, AddingTheSameIdAgainChangesNothing) {
  ASSERT_TRUE(outbox().Add(Message("msg_a", 100)).ok());
  WebhookMessage again = Message("msg_a", 5);
  again.body = "other";
  ASSERT_TRUE(outbox().Add(again).ok());
  EXPECT_EQ(*outbox().Count(), 1);
  auto claimed = outbox().Claim(100, 50, 10);
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ((*claimed)[0].body, Message("msg_a", 100).body);
}

TEST_P(WebhookOutboxContract, RefusesAnIdOutsideTheAlphabet) {
  EXPECT_TRUE(outbox().Add(Message("../x", 1)).IsInvalidArgument());
  EXPECT_TRUE(outbox().Add(Message("", 1)).IsInvalidArgument());
  EXPECT_TRUE(outbox().Add(Message(std::string(129, 'a'), 1)).IsInvalidArgument());
  EXPECT_EQ(*outbox().Count(), 0);
}

TEST_P(WebhookOutboxContract, ClaimsOnlyDueMessagesEarliestFirstAndLeasesThem) {
  ASSERT_TRUE(outbox().Add(Message("msg_late", 300)).ok());
  ASSERT_TRUE(outbox().Add(Message("msg_b", 200)).ok());
  ASSERT_TRUE(outbox().Add(Message("msg_a", 100)).ok());
  auto first = outbox().Claim(250, 1000, 1);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ((*first)[0].id, "msg_a");
  auto second = outbox().Claim(250, 1000, 10);
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0].id, "msg_b");
  // Both leased until 1250: nothing more is due before then but msg_late.
  auto third = outbox().Claim(400, 1000, 10);
  ASSERT_EQ(third->size(), 1u);
  EXPECT_EQ((*third)[0].id, "msg_late");
  EXPECT_TRUE(outbox().Claim(1200, 1000, 10)->empty());
  // A lease that runs out (its holder died) gives the message to the next claim.
  auto after = outbox().Claim(1300, 1000, 10);
  EXPECT_EQ(after->size(), 2u);
}

// Two processes sharing the outbox poll at the same moment: one of them gets the message.
TEST_P(WebhookOutboxContract, ALeaseKeepsTheMessageFromAnotherOpening) {
  ASSERT_TRUE(outbox().Add(Message("msg_a", 100)).ok());
  auto another = under_test_->OpenAnother();
  ASSERT_NE(another, nullptr);
  auto mine = outbox().Claim(150, 1000, 10);
  auto theirs = another->Claim(150, 1000, 10);
  ASSERT_TRUE(mine.ok() && theirs.ok());
  EXPECT_EQ(mine->size() + theirs->size(), 1u);
}

TEST_P(WebhookOutboxContract, RescheduleRecordsTheAttemptAndTheNextTime) {
  ASSERT_TRUE(outbox().Add(Message("msg_a", 100)).ok());
  auto claimed = outbox().Claim(100, 50, 10);
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  ASSERT_EQ(claimed->size(), 1u);
  WebhookMessage m = (*claimed)[0];
  m.attempts = 1;
  m.next_attempt_ms = 5000;
  ASSERT_TRUE(outbox().Reschedule(m).ok());
  EXPECT_TRUE(outbox().Claim(4999, 50, 10)->empty());
  auto due = under_test_->OpenAnother()->Claim(5000, 50, 10);
  ASSERT_TRUE(due.ok()) << due.status().ToString();
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].attempts, 1);
  EXPECT_EQ((*due)[0].next_attempt_ms, 5000);
  // A message delivered by another process meanwhile stays gone.
  ASSERT_TRUE(outbox().Remove("msg_a").ok());
  EXPECT_TRUE(outbox().Reschedule(m).ok());
  EXPECT_EQ(*outbox().Count(), 0);
}

TEST_P(WebhookOutboxContract, ManyMessagesAreAllClaimedInDueOrder) {
  constexpr int kMessages = 30;
  for (int i = kMessages - 1; i >= 0; --i) {
    ASSERT_TRUE(outbox().Add(Message("msg_" + std::to_string(100 + i), 100 + i)).ok());
  }
  EXPECT_EQ(*outbox().Count(), kMessages);
  std::vector<std::string> order;
  for (int round = 0; round < 4; ++round) {
    auto claimed = outbox().Claim(1000, 100000, 10);
    ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
    for (const WebhookMessage& m : *claimed) order.push_back(m.id);
  }
  ASSERT_EQ(order.size(), static_cast<size_t>(kMessages));
  for (int i = 0; i < kMessages; ++i) EXPECT_EQ(order[i], "msg_" + std::to_string(100 + i));
}

}  // namespace
}  // namespace pictor::testing
