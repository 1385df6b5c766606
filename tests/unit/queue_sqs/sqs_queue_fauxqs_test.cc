// The SQS adapter against fauxqs: every JobQueue operation end to end.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <set>

#include "core/digest.h"
#include "queue/sqs/sqs_messages.h"
#include "unit/queue_sqs/fauxqs_fixture.h"

namespace pictor::sqs {
namespace {

using namespace std::chrono_literals;
using testing::FauxqsTest;

class SqsQueueTest : public FauxqsTest {
 protected:
  void SetUp() override {
    FauxqsTest::SetUp();
    if (HasFatalFailure()) return;
    url_ = CreateQueue("jobs");
    ASSERT_FALSE(url_.empty());
    queue_ = Open(url_);
    ASSERT_NE(queue_, nullptr);
  }

  ReceivedMessage ReceiveOne(std::chrono::seconds visibility = 30s) {
    auto got = queue_->Receive({.visibility_timeout = visibility, .wait = 5s});
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    if (!got.ok() || got->size() != 1) {
      ADD_FAILURE() << "expected one message";
      return {};
    }
    return (*got)[0];
  }

  std::string url_;
  std::unique_ptr<JobQueue> queue_;
};

TEST_F(SqsQueueTest, BatchOfTenIsSentInOrder) {
  std::vector<OutgoingMessage> batch;
  for (int i = 0; i < kMaxBatch; ++i) batch.push_back({"prompt " + std::to_string(i)});
  auto sent = queue_->SendBatch(batch);
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  ASSERT_EQ(sent->size(), 10u);
  for (int i = 0; i < kMaxBatch; ++i) {
    ASSERT_TRUE((*sent)[i].ok()) << (*sent)[i].status().ToString();
    EXPECT_EQ((*sent)[i]->md5_of_body, Md5Hex(batch[i].body));
  }
  EXPECT_EQ(queue_->Attributes()->visible, 10);
}

TEST_F(SqsQueueTest, LongPollReturnsWhenAMessageArrives) {
  auto start = std::chrono::steady_clock::now();
  auto receive = std::async(std::launch::async,
                            [&] { return queue_->Receive({.wait = std::chrono::seconds(20)}); });
  ASSERT_TRUE(queue_->Send({"late arrival"}).ok());
  auto got = receive.get();
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].body, "late arrival");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 15s);
}

TEST_F(SqsQueueTest, AttributesCountVisibleInFlightAndDelayed) {
  ASSERT_TRUE(queue_->Send({"one"}).ok());
  ASSERT_TRUE(queue_->Send({"two"}).ok());
  ASSERT_TRUE(queue_->Send({"later", 600s}).ok());
  ReceiveOne();
  auto attrs = queue_->Attributes();
  ASSERT_TRUE(attrs.ok()) << attrs.status().ToString();
  EXPECT_EQ(attrs->visible, 1);
  EXPECT_EQ(attrs->in_flight, 1);
  EXPECT_EQ(attrs->delayed, 1);
  EXPECT_EQ(attrs->oldest_age_seconds, 0);
  EXPECT_EQ(attrs->dead_lettered, -1);
}

// Defer: a copy carrying the deferral count and the first message's id replaces the original,
// whose receives are no longer counted; a second deferral counts on.
TEST_F(SqsQueueTest, DeferReplacesTheMessageByADelayedCopyThatCountsDeferrals) {
  auto sent = queue_->Send({"full disk"});
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  ReceivedMessage first = ReceiveOne();
  EXPECT_EQ(first.deferrals, 0);
  EXPECT_EQ(first.origin_message_id, "");
  ASSERT_TRUE(queue_->Defer(first, 1s).ok());
  auto attrs = queue_->Attributes();
  ASSERT_TRUE(attrs.ok());
  EXPECT_EQ(attrs->visible + attrs->in_flight + attrs->delayed, 1);  // the original is gone

  ReceivedMessage copy = ReceiveOne();
  EXPECT_NE(copy.message_id, sent->message_id);
  EXPECT_EQ(copy.body, "full disk");
  EXPECT_EQ(copy.receive_count, 1);
  EXPECT_EQ(copy.deferrals, 1);
  EXPECT_EQ(copy.origin_message_id, sent->message_id);
  ASSERT_TRUE(queue_->Defer(copy, 0s).ok());
  ReceivedMessage again = ReceiveOne();
  EXPECT_EQ(again.deferrals, 2);
  EXPECT_EQ(again.origin_message_id, sent->message_id);
  EXPECT_EQ(queue_->Defer(again, 901s).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(queue_->Delete(again.receipt_handle).ok());
}

TEST_F(SqsQueueTest, UnicodeBodiesArriveUnchanged) {
  // Basic-plane text only: fauxqs 1.9 refuses characters above U+FFFF (SQS accepts them).
  const std::vector<std::string> bodies = {
      "En katt og en hund som utforsker verdensrommet sammen ✨", "猫と犬が一緒に宇宙を探検する ☀★☂",
      "quotes \" ' <tags> & ampersands\nnew line\ttab",
      "combining e\u0301 and RTL \u05e9\u05dc\u05d5\u05dd"};
  for (const std::string& body : bodies) {
    auto sent = queue_->Send({body});
    ASSERT_TRUE(sent.ok()) << body << ": " << sent.status().ToString();
  }
  std::multiset<std::string> got;
  while (got.size() < bodies.size()) {
    auto batch = queue_->Receive({.max_messages = 10, .wait = 5s});
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    ASSERT_FALSE(batch->empty());
    for (const auto& m : *batch) got.insert(m.body);
  }
  EXPECT_EQ(got, std::multiset<std::string>(bodies.begin(), bodies.end()));
}

TEST_F(SqsQueueTest, MissingQueueIsNotFound) {
  std::string missing = url_.substr(0, url_.rfind('/')) + "/no-such-queue";
  auto queue = Open(missing);
  auto sent = queue->Send({"x"});
  ASSERT_FALSE(sent.ok());
  EXPECT_TRUE(sent.status().IsNotFound()) << sent.status().ToString();
}

TEST_F(SqsQueueTest, QueueNameResolvesToItsUrl) {
  std::string name = url_.substr(url_.rfind('/') + 1);
  auto resolved = ResolveSqsQueueUrl(name);
  ASSERT_TRUE(resolved.ok()) << resolved.status().ToString();
  EXPECT_EQ(*resolved, url_);
  EXPECT_TRUE(ResolveSqsQueueUrl("no-such-queue").status().IsNotFound());
}

TEST_F(SqsQueueTest, DeadLetterMovesTheMessageWithItsReason) {
  std::string dlq_url = CreateQueue("jobs-dlq");
  auto queue = Open(url_, dlq_url);
  ASSERT_TRUE(queue->Send({"a prompt the model refuses"}).ok());
  auto got = queue->Receive({.wait = 5s});
  ASSERT_TRUE(got.ok() && got->size() == 1u);
  ASSERT_TRUE(queue->DeadLetter((*got)[0].receipt_handle, "content policy refusal").ok());

  auto attrs = queue->Attributes();
  ASSERT_TRUE(attrs.ok()) << attrs.status().ToString();
  EXPECT_EQ(attrs->visible + attrs->in_flight, 0);
  EXPECT_EQ(attrs->dead_lettered, 1);
  nlohmann::json dead =
      Call("ReceiveMessage", {{"QueueUrl", dlq_url}, {"MessageAttributeNames", {"All"}}});
  ASSERT_EQ(dead["Messages"].size(), 1u);
  EXPECT_EQ(dead["Messages"][0]["Body"], "a prompt the model refuses");
  EXPECT_EQ(dead["Messages"][0]["MessageAttributes"]["pictor.dead_letter_reason"]["StringValue"],
            "content policy refusal");
  EXPECT_EQ(dead["Messages"][0]["MessageAttributes"]["pictor.message_id"]["StringValue"],
            (*got)[0].message_id);
}

TEST_F(SqsQueueTest, DeadLetterWithoutADeadLetterUrlLeavesTheMessageToRedrive) {
  ASSERT_TRUE(queue_->Send({"left alone"}).ok());
  ReceivedMessage got = ReceiveOne();
  ASSERT_TRUE(queue_->DeadLetter(got.receipt_handle, "permanent failure").ok());
  auto attrs = queue_->Attributes();
  ASSERT_TRUE(attrs.ok()) << attrs.status().ToString();
  EXPECT_EQ(attrs->in_flight, 1);
}

}  // namespace
}  // namespace pictor::sqs
