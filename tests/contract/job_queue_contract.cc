#include "contract/job_queue_contract.h"

#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace pictor::testing {

using namespace std::chrono_literals;

void JobQueueContract::SetUp() {
  auto opened = GetParam().open();
  ASSERT_TRUE(opened.ok()) << GetParam().name << ": " << opened.status().ToString();
  under_test_ = std::move(opened).value();
}

ReceivedMessage JobQueueContract::ReceiveOne(std::chrono::seconds visibility) {
  auto got = queue().Receive({.visibility_timeout = visibility, .wait = 10s});
  EXPECT_TRUE(got.ok()) << got.status().ToString();
  if (!got.ok() || got->size() != 1) {
    ADD_FAILURE() << "expected exactly one message";
    return {};
  }
  return (*got)[0];
}

void JobQueueContract::ExpectNothingVisible() {
  auto got = queue().Receive({.max_messages = 10});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(got->empty()) << got->size() << " message(s), the first: " << (*got)[0].body;
}

namespace {

// The id a job without one of its own is known by, across Defer's copies.
std::string JobIdentity(const ReceivedMessage& m) {
  return m.origin_message_id.empty() ? m.message_id : m.origin_message_id;
}

int64_t Total(const QueueAttributes& a) { return a.visible + a.in_flight + a.delayed; }

}  // namespace

TEST_P(JobQueueContract, SendReceiveDeleteRoundTrip) {
  auto sent = queue().Send({"hello"});
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  EXPECT_FALSE(sent->message_id.empty());
  EXPECT_EQ(sent->md5_of_body, "5d41402abc4b2a76b9719d911017c592");
  ReceivedMessage got = ReceiveOne();
  EXPECT_EQ(got.message_id, sent->message_id);
  EXPECT_EQ(got.body, "hello");
  EXPECT_EQ(got.receive_count, 1);
  EXPECT_FALSE(got.receipt_handle.empty());
  EXPECT_GT(got.sent_timestamp_ms, 0);
  EXPECT_GE(got.first_receive_timestamp_ms, got.sent_timestamp_ms);
  EXPECT_EQ(got.deferrals, 0);
  ASSERT_TRUE(queue().Delete(got.receipt_handle).ok());
  auto attributes = queue().Attributes();
  ASSERT_TRUE(attributes.ok()) << attributes.status().ToString();
  EXPECT_EQ(Total(*attributes), 0);
  ExpectNothingVisible();
}

TEST_P(JobQueueContract, BatchOfTenIsSentAndAnsweredInOrder) {
  std::vector<OutgoingMessage> batch;
  for (int i = 0; i < kMaxBatch; ++i) batch.push_back({"prompt " + std::to_string(i)});
  auto sent = queue().SendBatch(batch);
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  ASSERT_EQ(sent->size(), 10u);
  std::set<std::string> ids;
  for (const auto& one : *sent) {
    ASSERT_TRUE(one.ok()) << one.status().ToString();
    ids.insert(one->message_id);
  }
  EXPECT_EQ(ids.size(), 10u);
  EXPECT_EQ(queue().Attributes()->visible, 10);
}

TEST_P(JobQueueContract, BatchOfElevenIsRefusedWhole) {
  std::vector<OutgoingMessage> batch(kMaxBatch + 1, OutgoingMessage{"x"});
  auto sent = queue().SendBatch(batch);
  ASSERT_FALSE(sent.ok());
  EXPECT_TRUE(sent.status().IsInvalidArgument()) << sent.status().ToString();
  EXPECT_EQ(Total(*queue().Attributes()), 0);
}

TEST_P(JobQueueContract, BatchAnswersABadEntryAloneAndSendsTheRest) {
  std::vector<OutgoingMessage> batch = {{"good"}, {""}, {"also good"}};
  auto sent = queue().SendBatch(batch);
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  ASSERT_EQ(sent->size(), 3u);
  EXPECT_TRUE((*sent)[0].ok());
  EXPECT_TRUE((*sent)[1].status().IsInvalidArgument());
  EXPECT_TRUE((*sent)[2].ok());
  EXPECT_EQ(queue().Attributes()->visible, 2);
}

TEST_P(JobQueueContract, AReceivedMessageIsHiddenForItsVisibilityTimeout) {
  ASSERT_TRUE(queue().Send({"job"}).ok());
  ReceiveOne(300s);
  ExpectNothingVisible();
  auto attributes = queue().Attributes();
  ASSERT_TRUE(attributes.ok());
  EXPECT_EQ(attributes->visible, 0);
  EXPECT_EQ(attributes->in_flight, 1);
}

TEST_P(JobQueueContract, ExpiredVisibilityRedeliversWithTheNextReceiveCountAndANewHandle) {
  auto sent = queue().Send({"again"});
  ASSERT_TRUE(sent.ok());
  ReceivedMessage first = ReceiveOne(1s);
  Elapse(1s);
  ReceivedMessage second = ReceiveOne();
  EXPECT_EQ(second.message_id, sent->message_id);
  EXPECT_EQ(second.body, "again");
  EXPECT_EQ(second.receive_count, 2);
  EXPECT_NE(second.receipt_handle, first.receipt_handle);
  ASSERT_TRUE(queue().Delete(second.receipt_handle).ok());
}

// A handle goes stale when its message is received again: using it must never delete or move
// the message that someone else now holds.
TEST_P(JobQueueContract, AStaleHandleNeverTouchesTheRedeliveredMessage) {
  ASSERT_TRUE(queue().Send({"contended"}).ok());
  ReceivedMessage first = ReceiveOne(1s);
  Elapse(1s);
  ReceivedMessage second = ReceiveOne(300s);
  ASSERT_EQ(second.receive_count, 2);
  Status stale = queue().Delete(first.receipt_handle);
  if (under_test_->RefusesStaleDelete()) {
    EXPECT_EQ(stale.code(), StatusCode::kFailedPrecondition) << stale.ToString();
  } else {
    EXPECT_TRUE(stale.ok() || stale.code() == StatusCode::kFailedPrecondition) << stale.ToString();
  }
  // Still there, and still held by the current handle.
  ExpectNothingVisible();
  ASSERT_TRUE(queue().ChangeVisibility(second.receipt_handle, 0s).ok());
  ReceivedMessage third = ReceiveOne();
  EXPECT_EQ(third.message_id, second.message_id);
  EXPECT_EQ(third.receive_count, 3);
  ASSERT_TRUE(queue().Delete(third.receipt_handle).ok());
}

TEST_P(JobQueueContract, ChangeVisibilityToZeroMakesTheMessageVisibleAtOnce) {
  ASSERT_TRUE(queue().Send({"now"}).ok());
  ReceivedMessage first = ReceiveOne(600s);
  ASSERT_TRUE(queue().ChangeVisibility(first.receipt_handle, 0s).ok());
  auto again = queue().Receive({});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].receive_count, 2);
}

TEST_P(JobQueueContract, ChangeVisibilityOfADeletedMessageIsFailedPrecondition) {
  ASSERT_TRUE(queue().Send({"gone"}).ok());
  ReceivedMessage got = ReceiveOne();
  ASSERT_TRUE(queue().Delete(got.receipt_handle).ok());
  EXPECT_EQ(queue().ChangeVisibility(got.receipt_handle, 10s).code(),
            StatusCode::kFailedPrecondition);
}

TEST_P(JobQueueContract, ADelayedMessageIsHiddenUntilItsDelay) {
  ASSERT_TRUE(queue().Send({"later", 600s}).ok());
  ExpectNothingVisible();
  auto attributes = queue().Attributes();
  ASSERT_TRUE(attributes.ok());
  EXPECT_EQ(attributes->delayed, 1);
  EXPECT_EQ(attributes->visible, 0);
}

// Defer: back on the queue after the delay, the receive not counted, the deferral counted, and
// the job still known by the id it was first sent with.
TEST_P(JobQueueContract, DeferBringsTheMessageBackWithoutCountingTheReceive) {
  auto sent = queue().Send({"full disk"});
  ASSERT_TRUE(sent.ok());
  ReceivedMessage first = ReceiveOne();
  ASSERT_TRUE(queue().Defer(first, 1s).ok());
  Elapse(1s);
  ReceivedMessage back = ReceiveOne();
  EXPECT_EQ(back.body, "full disk");
  EXPECT_EQ(back.receive_count, 1);
  EXPECT_EQ(back.deferrals, 1);
  EXPECT_EQ(JobIdentity(back), sent->message_id);
  ASSERT_TRUE(queue().Defer(back, 0s).ok());
  ReceivedMessage again = ReceiveOne();
  EXPECT_EQ(again.receive_count, 1);
  EXPECT_EQ(again.deferrals, 2);
  EXPECT_EQ(JobIdentity(again), sent->message_id);
  ASSERT_TRUE(queue().Delete(again.receipt_handle).ok());
  EXPECT_EQ(Total(*queue().Attributes()), 0);
}

TEST_P(JobQueueContract, ADeferredMessageWaitsForItsDelay) {
  ASSERT_TRUE(queue().Send({"throttled"}).ok());
  ReceivedMessage got = ReceiveOne();
  ASSERT_TRUE(queue().Defer(got, 600s).ok());
  ExpectNothingVisible();
  EXPECT_EQ(Total(*queue().Attributes()), 1);
}

TEST_P(JobQueueContract, DeferBeyondFifteenMinutesIsRefusedAndLeavesTheMessageHeld) {
  ASSERT_TRUE(queue().Send({"x"}).ok());
  ReceivedMessage got = ReceiveOne();
  EXPECT_TRUE(queue().Defer(got, kMaxDeferDelay + 1s).IsInvalidArgument());
  ASSERT_TRUE(queue().Delete(got.receipt_handle).ok());
}

TEST_P(JobQueueContract, DeadLetterTakesTheMessageOffTheQueueForGood) {
  ASSERT_TRUE(queue().Send({"a prompt the model refuses"}).ok());
  ReceivedMessage got = ReceiveOne(1s);
  ASSERT_TRUE(queue().DeadLetter(got.receipt_handle, "refused by the model").ok());
  Elapse(1s);
  auto attributes = queue().Attributes();
  ASSERT_TRUE(attributes.ok()) << attributes.status().ToString();
  EXPECT_EQ(Total(*attributes), 0);
  EXPECT_EQ(attributes->dead_lettered, 1);
  ExpectNothingVisible();
}

TEST_P(JobQueueContract, ReceiversOnSeveralThreadsGetEachMessageOnce) {
  constexpr int kMessages = 30;
  for (int i = 0; i < kMessages; i += kMaxBatch) {
    std::vector<OutgoingMessage> batch;
    for (int j = i; j < i + kMaxBatch; ++j) batch.push_back({"m" + std::to_string(j)});
    ASSERT_TRUE(queue().SendBatch(batch).ok());
  }
  std::mutex mu;
  std::multiset<std::string> bodies;  // guarded by mu
  std::vector<std::thread> receivers;
  for (int t = 0; t < 4; ++t) {
    receivers.emplace_back([&] {
      for (int round = 0; round < 20; ++round) {
        auto got = queue().Receive({.max_messages = 5, .visibility_timeout = 600s});
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        std::lock_guard lock(mu);
        for (const auto& m : *got) bodies.insert(m.body);
        if (bodies.size() >= static_cast<size_t>(kMessages)) return;
      }
    });
  }
  for (auto& t : receivers) t.join();
  std::set<std::string> distinct(bodies.begin(), bodies.end());
  EXPECT_EQ(distinct.size(), bodies.size()) << "a message was delivered twice";
  EXPECT_EQ(bodies.size(), static_cast<size_t>(kMessages));
}

TEST_P(JobQueueContract, ReceiveRefusesOptionsOutOfRange) {
  EXPECT_TRUE(queue().Receive({.max_messages = 0}).status().IsInvalidArgument());
  EXPECT_TRUE(queue().Receive({.max_messages = 11}).status().IsInvalidArgument());
}

}  // namespace pictor::testing
