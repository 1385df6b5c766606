// The SQS adapter over a scripted HttpClient: the wire shape of its calls, the MD5 checks with
// forged replies, and the translation of SQS's answers about stale receipt handles.
#include <gtest/gtest.h>

#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/ascii.h"
#include "core/digest.h"
#include "fakes/scripted_http_client.h"
#include "queue/sqs/sqs_messages.h"
#include "queue/sqs/sqs_queue.h"
#include "unit/queue_sqs/sqs_test_env.h"

namespace pictor::sqs {
namespace {

using nlohmann::json;

constexpr const char* kUrl = "http://127.0.0.1:9/000000000000/jobs";

class SqsQueueFakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SqsQueueOptions options{.queue_url = kUrl};
    options.retry.max_attempts = 1;
    auto queue =
        OpenSqsQueue(options, std::make_unique<pictor::testing::BorrowedHttpClient>(http_));
    ASSERT_TRUE(queue.ok()) << queue.status().ToString();
    queue_ = std::move(queue).value();
  }

  void Reply(long status, json body,
             std::vector<std::pair<std::string, std::string>> headers = {}) {
    http_.Reply(status, body.dump(), std::move(headers));
  }
  net::HttpCall LastCall() { return http_.calls().back(); }
  json LastBody() { return json::parse(LastCall().body); }

  testing::ScopedSqsEnv env_;
  // Declared before queue_, so it outlives the client the queue borrows.
  pictor::testing::ScriptedHttpClient http_;
  std::unique_ptr<JobQueue> queue_;
};

std::string HeaderOf(const net::HttpCall& call, std::string_view name) {
  return pictor::testing::ScriptedHttpClient::HeaderOf(call, name);
}

TEST_F(SqsQueueFakeTest, SendPostsJsonProtocolToTheQueueOrigin) {
  Reply(200, {{"MessageId", "m-1"}, {"MD5OfMessageBody", Md5Hex("hello")}});
  auto sent = queue_->Send({"hello"});
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  EXPECT_EQ(sent->message_id, "m-1");
  EXPECT_EQ(LastCall().method, "POST");
  EXPECT_EQ(LastCall().url, "http://127.0.0.1:9/");
  EXPECT_EQ(HeaderOf(LastCall(), "X-Amz-Target"), "AmazonSQS.SendMessage");
  EXPECT_EQ(HeaderOf(LastCall(), "Content-Type"), "application/x-amz-json-1.0");
  EXPECT_NE(HeaderOf(LastCall(), "Authorization").find("/us-east-1/sqs/aws4_request"),
            std::string::npos);
  EXPECT_EQ(LastBody()["QueueUrl"], kUrl);
  EXPECT_EQ(LastBody()["MessageBody"], "hello");
}

TEST_F(SqsQueueFakeTest, SendWithForgedMd5IsInternal) {
  Reply(200, {{"MessageId", "m-1"}, {"MD5OfMessageBody", Md5Hex("something else")}});
  auto sent = queue_->Send({"hello"});
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.status().code(), StatusCode::kInternal);
}

TEST_F(SqsQueueFakeTest, ReceiveDropsMessageWithForgedMd5) {
  json good = {{"MessageId", "a"},
               {"ReceiptHandle", "ha"},
               {"Body", "kept"},
               {"MD5OfBody", Md5Hex("kept")},
               {"Attributes", {{"ApproximateReceiveCount", "2"}, {"SentTimestamp", "1700"}}}};
  json forged = {{"MessageId", "b"},
                 {"ReceiptHandle", "hb"},
                 {"Body", "tampered"},
                 {"MD5OfBody", Md5Hex("original")}};
  Reply(200, {{"Messages", {forged, good}}});
  auto got = queue_->Receive({.max_messages = 2});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].body, "kept");
  EXPECT_EQ((*got)[0].receive_count, 2);
  EXPECT_EQ((*got)[0].sent_timestamp_ms, 1700);
}

TEST_F(SqsQueueFakeTest, ReceiveRoundsWaitAndAsksForSystemAttributes) {
  Reply(200, json::object());
  auto got = queue_->Receive({.max_messages = 3,
                              .visibility_timeout = std::chrono::seconds(7),
                              .wait = std::chrono::milliseconds(1600)});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(got->empty());
  json body = LastBody();
  EXPECT_EQ(body["WaitTimeSeconds"], 2);
  EXPECT_EQ(body["MaxNumberOfMessages"], 3);
  EXPECT_EQ(body["VisibilityTimeout"], 7);
  EXPECT_EQ(body["MessageSystemAttributeNames"].size(), 3u);
  EXPECT_GT(LastCall().total_timeout, std::chrono::seconds(20));
}

TEST_F(SqsQueueFakeTest, ReceiveRefusesOutOfRangeOptionsWithoutACall) {
  EXPECT_TRUE(queue_->Receive({.max_messages = 11}).status().IsInvalidArgument());
  EXPECT_TRUE(queue_->Receive({.max_messages = 0}).status().IsInvalidArgument());
  EXPECT_TRUE(queue_->Receive({.wait = std::chrono::seconds(21)}).status().IsInvalidArgument());
  EXPECT_TRUE(http_.calls().empty());
}

TEST_F(SqsQueueFakeTest, BatchReportsForgedMd5AndFailedEntriesPerMessage) {
  Reply(200, {{"Successful",
               {{{"Id", "0"}, {"MessageId", "m0"}, {"MD5OfMessageBody", Md5Hex("zero")}},
                {{"Id", "2"}, {"MessageId", "m2"}, {"MD5OfMessageBody", Md5Hex("forged")}}}},
              {"Failed",
               {{{"Id", "1"},
                 {"Code", "InternalError"},
                 {"Message", "try again"},
                 {"SenderFault", false}}}}});
  std::vector<OutgoingMessage> batch = {{"zero"}, {"one"}, {"two"}};
  auto sent = queue_->SendBatch(batch);
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  ASSERT_EQ(sent->size(), 3u);
  EXPECT_TRUE((*sent)[0].ok());
  EXPECT_EQ((*sent)[1].status().code(), StatusCode::kUnavailable);
  EXPECT_EQ((*sent)[1].status().peer_code(), "InternalError");
  EXPECT_EQ((*sent)[2].status().code(), StatusCode::kInternal);
  EXPECT_EQ(LastBody()["Entries"].size(), 3u);
}

TEST_F(SqsQueueFakeTest, InvalidReceiptHandleIsFailedPrecondition) {
  Reply(400, {{"__type", "com.amazonaws.sqs#ReceiptHandleIsInvalid"}, {"message", "bad"}},
        {{"x-amzn-query-error", "ReceiptHandleIsInvalid;Sender"}});
  EXPECT_EQ(queue_->Delete("h").code(), StatusCode::kFailedPrecondition);
}

TEST_F(SqsQueueFakeTest, ExpiredReceiptHandleIsFailedPrecondition) {
  Reply(400, {{"__type", "com.amazonaws.sqs#InvalidParameterValue"},
              {"message",
               "Value h for parameter ReceiptHandle is invalid. Reason: The receipt "
               "handle has expired."}});
  EXPECT_EQ(queue_->ChangeVisibility("h", std::chrono::seconds(0)).code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(SqsQueueFakeTest, MessageNotInflightIsFailedPrecondition) {
  Reply(400, {{"__type", "com.amazonaws.sqs#MessageNotInflight"}, {"message", "not in flight"}},
        {{"x-amzn-query-error", "AWS.SimpleQueueService.MessageNotInflight;Sender"}});
  Status s = queue_->ChangeVisibility("h", std::chrono::seconds(5));
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.peer_code(), "AWS.SimpleQueueService.MessageNotInflight");
  EXPECT_EQ(s.peer_http_status(), 400);
}

TEST_F(SqsQueueFakeTest, MessageNotInflightWithoutTheNamespaceIsFailedPrecondition) {
  Reply(400, {{"__type", "com.amazonaws.sqs#MessageNotInflight"}, {"message", "not in flight"}});
  EXPECT_EQ(queue_->Delete("h").code(), StatusCode::kFailedPrecondition);
}

// Staleness is SQS's error code: a message that names the codes decides nothing.
TEST_F(SqsQueueFakeTest, AMessageNamingStaleHandleCodesIsNotStaleness) {
  Reply(400, {{"__type", "com.amazonaws.sqs#InvalidAction"},
              {"message", "ReceiptHandleIsInvalid MessageNotInflight InvalidParameterValue"}});
  Status s = queue_->Delete("h");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_EQ(s.peer_code(), "InvalidAction");
}

TEST_F(SqsQueueFakeTest, InvalidParameterValueAboutAnotherParameterIsInvalidArgument) {
  Reply(400, {{"__type", "com.amazonaws.sqs#InvalidParameterValue"},
              {"message", "Value 99999 for parameter VisibilityTimeout is invalid."}});
  EXPECT_EQ(queue_->ChangeVisibility("h", std::chrono::seconds(5)).code(),
            StatusCode::kInvalidArgument);
}

TEST_F(SqsQueueFakeTest, AttributesReadCountsAndLeaveOldestAgeZero) {
  Reply(200, {{"Attributes",
               {{"ApproximateNumberOfMessages", "4"},
                {"ApproximateNumberOfMessagesNotVisible", "2"},
                {"ApproximateNumberOfMessagesDelayed", "1"}}}});
  auto attrs = queue_->Attributes();
  ASSERT_TRUE(attrs.ok()) << attrs.status().ToString();
  EXPECT_EQ(attrs->visible, 4);
  EXPECT_EQ(attrs->in_flight, 2);
  EXPECT_EQ(attrs->delayed, 1);
  EXPECT_EQ(attrs->oldest_age_seconds, 0);
  EXPECT_EQ(attrs->dead_lettered, -1);
  EXPECT_EQ(HeaderOf(LastCall(), "X-Amz-Target"), "AmazonSQS.GetQueueAttributes");
}

TEST_F(SqsQueueFakeTest, NameIsTheQueueNameFromTheUrl) { EXPECT_EQ(queue_->Name(), "jobs"); }

TEST(SqsMessages, Md5HexIsLowerCaseHex) {
  EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Md5Hex("hello"), "5d41402abc4b2a76b9719d911017c592");
}

TEST(SqsMessages, OutgoingChecksRefuseWhatSqsWould) {
  EXPECT_TRUE(CheckOutgoing({""}).IsInvalidArgument());
  EXPECT_EQ(CheckOutgoing({std::string(kMaxMessageBytes + 1, 'a')}).code(),
            StatusCode::kPayloadTooLarge);
  EXPECT_TRUE(CheckOutgoing({"\xff"}).IsInvalidArgument());
  EXPECT_TRUE(CheckOutgoing({"x", std::chrono::seconds(901)}).IsInvalidArgument());
  EXPECT_TRUE(CheckOutgoing({std::string(kMaxMessageBytes, 'a')}).ok());
}

}  // namespace
}  // namespace pictor::sqs
