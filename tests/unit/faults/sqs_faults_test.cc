// The SQS queue through the fault proxy, in front of fauxqs: retries within their bound and with
// growing backoff, clear permanent failures, and no message lost to a broken reply.
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "peers/fault_proxy.h"
#include "unit/queue_sqs/fauxqs_fixture.h"

namespace pictor::sqs {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class SqsFaultsTest : public testing::FauxqsTest {
 protected:
  void SetUp() override {
    FauxqsTest::SetUp();
    if (HasFatalFailure()) return;
    proxy_ = pictor::testing::FaultProxy::Start(peer_->base_url());
    ASSERT_NE(proxy_, nullptr);
    url_ = CreateQueue("faults");
    ASSERT_FALSE(url_.empty());
    // Every SQS call of the adapter goes to the proxy (AWS_ENDPOINT_URL wins over the URL's host).
    env_.reset();
    env_ = std::make_unique<testing::ScopedSqsEnv>(proxy_->base_url().c_str());
    SqsQueueOptions options{.queue_url = url_};
    options.retry.sleep = [this](std::chrono::milliseconds delay) {
      std::lock_guard<std::mutex> lock(delays_mutex_);
      delays_.push_back(delay);
    };
    auto queue = OpenSqsQueue(options);
    ASSERT_TRUE(queue.ok()) << queue.status().ToString();
    queue_ = std::move(queue).value();
  }

  static json Rule(const std::string& action, const std::string& fault, int count = 1) {
    return {{"target", "AmazonSQS." + action}, {"fault", fault}, {"count", count}};
  }
  static json Error(const std::string& action, int status, const std::string& code, int count = 1) {
    json rule = Rule(action, "error", count);
    rule.update({{"protocol", "sqs"}, {"status", status}, {"code", code}});
    return rule;
  }
  size_t Calls(const std::string& action) {
    return proxy_->Requests("POST", "AmazonSQS." + action).size();
  }
  // Every message left, received (and deleted) around the proxy's faults.
  std::vector<std::string> Drain() {
    proxy_->Clear();
    std::vector<std::string> bodies;
    for (;;) {
      auto got = queue_->Receive({.max_messages = 10, .visibility_timeout = 30s, .wait = 3s});
      EXPECT_TRUE(got.ok()) << got.status().ToString();
      if (!got.ok() || got->empty()) return bodies;
      for (const ReceivedMessage& m : *got) {
        bodies.push_back(m.body);
        EXPECT_TRUE(queue_->Delete(m.receipt_handle).ok());
      }
    }
  }

  std::unique_ptr<pictor::testing::FaultProxy> proxy_;
  std::string url_;
  std::unique_ptr<JobQueue> queue_;
  std::mutex delays_mutex_;
  std::vector<std::chrono::milliseconds> delays_;
};

TEST_F(SqsFaultsTest, ThrottlingOnSendIsRetriedWithBackoffAndQueuesOneMessage) {
  proxy_->Script(json::array({Error("SendMessage", 400, "RequestThrottled", 2)}));
  auto sent = queue_->Send({"job 1"});
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  EXPECT_EQ(Calls("SendMessage"), 3u);
  ASSERT_EQ(delays_.size(), 2u);
  const net::RetryPolicy policy;
  EXPECT_LE(delays_[0], policy.throttling_base_delay);
  EXPECT_LE(delays_[1], 2 * policy.throttling_base_delay);
  EXPECT_EQ(Drain(), std::vector<std::string>{"job 1"});
}

TEST_F(SqsFaultsTest, A500OnEveryReceiveStopsAtTheBoundAndLosesNothing) {
  ASSERT_TRUE(queue_->Send({"job 1"}).ok());
  proxy_->Script(json::array({Error("ReceiveMessage", 500, "InternalError", -1)}));
  auto got = queue_->Receive({.wait = 0s});
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kUnavailable) << got.status().ToString();
  EXPECT_EQ(Calls("ReceiveMessage"), 3u);
  EXPECT_EQ(Drain(), std::vector<std::string>{"job 1"});
}

TEST_F(SqsFaultsTest, AReceiveWhoseReplyIsResetLosesNoMessage) {
  ASSERT_TRUE(queue_->Send({"job 1"}).ok());
  proxy_->Script(json::array({Rule("ReceiveMessage", "reset")}));
  // The first attempt made the message invisible for 1 s, and its reply was lost; the retry
  // finds nothing, and the message comes back when the visibility timeout ends.
  auto got = queue_->Receive({.visibility_timeout = 1s, .wait = 0s});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(Calls("ReceiveMessage"), 2u);
  EXPECT_TRUE(got->empty());
  auto again = queue_->Receive({.visibility_timeout = 30s, .wait = 5s});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].body, "job 1");
  EXPECT_EQ((*again)[0].receive_count, 2);
  ASSERT_TRUE(queue_->Delete((*again)[0].receipt_handle).ok());
  EXPECT_TRUE(Drain().empty());
}

TEST_F(SqsFaultsTest, TruncatedReceiveJsonIsAClearErrorAndTheMessageComesBack) {
  ASSERT_TRUE(queue_->Send({"job 1"}).ok());
  proxy_->Script(json::array({Rule("ReceiveMessage", "truncate")}));
  auto got = queue_->Receive({.visibility_timeout = 1s, .wait = 0s});
  ASSERT_FALSE(got.ok()) << "a half reply was read as " << got->size() << " messages";
  EXPECT_FALSE(got.status().message().empty());
  EXPECT_EQ(Calls("ReceiveMessage"), 1u) << "a 200 reply is not retried";
  EXPECT_EQ(Drain(), std::vector<std::string>{"job 1"});
}

TEST_F(SqsFaultsTest, MalformedSendReplyIsAnErrorNotASuccess) {
  json rule = Rule("SendMessage", "malformed");
  rule["body"] = "{\"MessageId\": ";
  proxy_->Script(json::array({rule}));
  auto sent = queue_->Send({"job 1"});
  EXPECT_FALSE(sent.ok());
  EXPECT_EQ(Calls("SendMessage"), 1u);
}

TEST_F(SqsFaultsTest, AResetDeleteIsRetriedAndTheMessageIsGone) {
  ASSERT_TRUE(queue_->Send({"job 1"}).ok());
  auto got = queue_->Receive({.visibility_timeout = 30s, .wait = 0s});
  ASSERT_TRUE(got.ok() && got->size() == 1u);
  proxy_->Script(json::array({Rule("DeleteMessage", "reset")}));
  Status deleted = queue_->Delete((*got)[0].receipt_handle);
  EXPECT_TRUE(deleted.ok()) << deleted.ToString();
  EXPECT_EQ(Calls("DeleteMessage"), 2u);
  auto attributes = queue_->Attributes();
  ASSERT_TRUE(attributes.ok());
  EXPECT_EQ(attributes->visible + attributes->in_flight, 0);
}

TEST_F(SqsFaultsTest, ALongContentLengthOnSendIsRetriedAndAtMostDuplicatesTheMessage) {
  json rule = Rule("SendMessage", "length");
  rule["delta"] = 50;
  proxy_->Script(json::array({rule}));
  auto sent = queue_->Send({"job 1"});
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  EXPECT_EQ(Calls("SendMessage"), 2u);
  // SQS delivers at least once: the first attempt was stored although its reply broke. The
  // job's own id (in the body) is what makes a second copy harmless downstream.
  std::vector<std::string> left = Drain();
  EXPECT_EQ(left, (std::vector<std::string>{"job 1", "job 1"}));
}

TEST_F(SqsFaultsTest, ClockSkewIsAPermanentErrorThatSaysSo) {
  json rule = Rule("SendMessage", "skew", -1);
  rule["protocol"] = "sqs";
  proxy_->Script(json::array({rule}));
  auto sent = queue_->Send({"job 1"});
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.status().code(), StatusCode::kPermissionDenied) << sent.status().ToString();
  EXPECT_NE(sent.status().message().find("Signature expired"), std::string::npos);
  EXPECT_EQ(Calls("SendMessage"), 1u);
  EXPECT_TRUE(Drain().empty());
}

TEST_F(SqsFaultsTest, AStalledReceiveIsDeadlineExceededAfterTheBoundAndLosesNothing) {
  ASSERT_TRUE(queue_->Send({"job 1"}).ok());
  SqsQueueOptions options{.queue_url = url_};
  options.request_timeout = 1500ms;
  options.retry.sleep = [](std::chrono::milliseconds) {};
  auto impatient = OpenSqsQueue(options);
  ASSERT_TRUE(impatient.ok()) << impatient.status().ToString();
  json rule = Rule("ReceiveMessage", "stall", -1);
  rule["seconds"] = 4;
  proxy_->Script(json::array({rule}));
  const auto start = std::chrono::steady_clock::now();
  // A 20 s long poll asked of a queue whose requests may take 1.5 s: the wait is cut to fit.
  auto got = (*impatient)->Receive({.wait = 20s});
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kDeadlineExceeded) << got.status().ToString();
  EXPECT_EQ(Calls("ReceiveMessage"), 3u);
  // Three attempts of 1.5 s each, never the stall's 4 s.
  EXPECT_LT(took, 3 * 1500ms + 1500ms);
  proxy_->Script(json::array());
  EXPECT_EQ(Drain(), std::vector<std::string>{"job 1"});
}

TEST(SqsQueueOptionsTest, ARequestTimeoutUnderASecondIsRefused) {
  SqsQueueOptions options{.queue_url = "https://sqs.eu-west-1.amazonaws.com/123456789012/q"};
  options.request_timeout = 500ms;
  auto queue = OpenSqsQueue(options);
  ASSERT_FALSE(queue.ok());
  EXPECT_EQ(queue.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pictor::sqs
