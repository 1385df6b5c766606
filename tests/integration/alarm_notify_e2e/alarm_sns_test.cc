// The queue alarm's SNS notifier end to end: `pictor serve --workers 0` runs the alarm in-process
// on a SQLite queue and publishes to an SNS topic on fauxqs; an SQS queue subscribed to the topic
// (protocol sqs) receives exactly one ALARM message while prompts wait, and exactly one OK
// message once a worker has drained the queue.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "integration/aws_e2e/aws_fixture.h"
#include "integration/harness.h"

namespace pictor::aws_e2e {
namespace {

constexpr const char* kTopic = "pictor-alarms";
constexpr const char* kTopicArn = "arn:aws:sns:us-east-1:000000000000:pictor-alarms";

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// One notification as the subscribed queue sees it.
struct Delivered {
  std::string subject;
  std::string message;
};

class AlarmSnsTest : public AwsPeersTest {
 protected:
  // Creates the topic and the queue and subscribes one to the other; "" after a test failure.
  std::string SubscribedQueue() {
    nlohmann::json topic = AwsJson({"sns", "create-topic", "--name", kTopic});
    EXPECT_EQ(topic.is_object() ? topic.value("TopicArn", "") : "", kTopicArn) << topic.dump();
    std::string url = MakeQueue("alarm-inbox");
    if (url.empty()) return "";
    nlohmann::json sub =
        AwsJson({"sns", "subscribe", "--topic-arn", kTopicArn, "--protocol", "sqs",
                 "--notification-endpoint", "arn:aws:sqs:us-east-1:000000000000:alarm-inbox"});
    EXPECT_TRUE(sub.is_object() && sub.contains("SubscriptionArn")) << sub.dump();
    return url;
  }

  // Receives (and deletes) what is in the inbox now, waiting up to `wait_seconds` for the first.
  std::vector<Delivered> Drain(const std::string& url, int wait_seconds) {
    std::vector<Delivered> out;
    // An empty receive prints nothing at all.
    integration::RunResult r =
        Aws({"sqs", "receive-message", "--queue-url", url, "--max-number-of-messages", "10",
             "--wait-time-seconds", std::to_string(wait_seconds)});
    EXPECT_EQ(r.code(), 0) << r.err;
    nlohmann::json reply = nlohmann::json::parse(r.out, nullptr, false);
    if (!reply.is_object() || !reply.contains("Messages")) return out;
    for (const auto& m : reply["Messages"]) {
      const std::string body = m.value("Body", "");
      nlohmann::json envelope = nlohmann::json::parse(body, nullptr, false);
      Delivered d;
      if (envelope.is_object() && envelope.contains("Message")) {
        d.message = envelope.value("Message", "");
        if (envelope.contains("Subject") && envelope["Subject"].is_string()) {
          d.subject = envelope["Subject"].get<std::string>();
        }
      } else {
        d.message = body;
      }
      out.push_back(d);
      EXPECT_EQ(Aws({"sqs", "delete-message", "--queue-url", url, "--receipt-handle",
                     m.value("ReceiptHandle", "")})
                    .code(),
                0);
    }
    return out;
  }
};

TEST_F(AlarmSnsTest, OneAlarmMessageWhileQueuedThenOneOkMessageOnceDrained) {
  const std::string inbox = SubscribedQueue();
  ASSERT_FALSE(inbox.empty());

  integration::Server server;
  ASSERT_TRUE(integration::StartServe(dir_, &server,
                                      {"--workers", "0", "--period", "1", "--evaluation-periods",
                                       "2", "--threshold", "3", "--notify", kTopicArn},
                                      AwsEnv()));
  for (int i = 0; i < 3; ++i) {
    auto r = integration::Http(
        "POST", server.base_url + "/jobs",
        R"({"prompt": "a heron in the reeds number )" + std::to_string(i) + "\"}");
    ASSERT_EQ(r.status, 202) << r.body;
  }

  // The oldest prompt's age passes 3 s after ~3 s and stays above it for two 1 s periods.
  std::vector<Delivered> got;
  ASSERT_TRUE(integration::WaitUntil(
      [&] {
        for (auto& d : Drain(inbox, 1)) got.push_back(d);
        return !got.empty();
      },
      30s, 10ms))
      << "no ALARM message; serve log:\n"
      << server.process->Stderr();
  for (auto& d : Drain(inbox, 1)) got.push_back(d);  // a duplicate would be here by now
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].subject, "ALARM: \"pictor-queue-age\" on queue queue.db");
  EXPECT_TRUE(Has(got[0].message, "changed from OK to ALARM")) << got[0].message;
  EXPECT_TRUE(Has(got[0].message, "Queue:      queue.db")) << got[0].message;
  EXPECT_TRUE(Has(got[0].message, "Value:      ")) << got[0].message;
  EXPECT_FALSE(Has(got[0].message, "Value:      no data")) << got[0].message;
  EXPECT_TRUE(Has(got[0].message, "GreaterThanThreshold 3.0")) << got[0].message;

  std::unique_ptr<integration::Process> worker;
  ASSERT_TRUE(integration::StartWorker(dir_, &worker, {}, AwsEnv()));
  got.clear();
  ASSERT_TRUE(integration::WaitUntil(
      [&] {
        for (auto& d : Drain(inbox, 1)) got.push_back(d);
        return !got.empty();
      },
      60s, 10ms))
      << "no OK message; serve log:\n"
      << server.process->Stderr();
  // Three more periods of OK bring nothing further.
  for (auto& d : Drain(inbox, 3)) got.push_back(d);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].subject, "OK: \"pictor-queue-age\" on queue queue.db");
  EXPECT_TRUE(Has(got[0].message, "changed from ALARM to OK")) << got[0].message;
  EXPECT_TRUE(Has(got[0].message, "Queue:      queue.db")) << got[0].message;
  EXPECT_TRUE(Has(got[0].message, "GreaterThanThreshold 3.0")) << got[0].message;
}

}  // namespace
}  // namespace pictor::aws_e2e
