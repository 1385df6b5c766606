#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "fakes/alarm_events.h"
#include "fakes/recording_notifier.h"
#include "notify/alarm_message.h"
#include "notify/delivery_queue.h"
#include "notify/sns/sns_notifier.h"
#include "notify/webhook/webhook_notifier.h"
#include "pictor/notifier_wrapper.h"
#include "unit/net/test_http_server.h"

namespace pictor::notify {
namespace {

using namespace std::chrono_literals;
using pictor::testing::RecordingNotifier;

AlarmEvent Event() { return ::pictor::testing::SampleAlarmEvent(); }

TEST(AlarmMessageTest, SubjectNamesStateAlarmAndQueue) {
  EXPECT_EQ(AlarmSubject(Event()), "ALARM: \"pictor-queue-age\" on queue queue.db");
}

TEST(AlarmMessageTest, TextGivesValueThresholdPeriodAndTime) {
  const std::string text = AlarmText(Event());
  EXPECT_NE(text.find("Value:      5.0"), std::string::npos) << text;
  EXPECT_NE(text.find("GreaterThanThreshold 3.0"), std::string::npos) << text;
  EXPECT_NE(text.find("over 60 s"), std::string::npos) << text;
  EXPECT_NE(text.find("2024-05-01T12:00:00Z"), std::string::npos) << text;
}

TEST(AlarmMessageTest, JsonHasASlackTextField) {
  const std::string json = AlarmJson(Event());
  EXPECT_NE(json.find("\"text\":\"ALARM: \\\"pictor-queue-age\\\" on queue queue.db: Threshold"),
            std::string::npos)
      << json;
}

// RFC 4231 test case 2.
TEST(WebhookSignatureTest, IsHexHmacSha256OfTheBody) {
  EXPECT_EQ(WebhookSignature("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(SnsTopicArnTest, RegionComesFromTheArn) {
  EXPECT_EQ(RegionOfTopicArn("arn:aws:sns:eu-west-1:123456789012:alerts"), "eu-west-1");
  EXPECT_EQ(RegionOfTopicArn("arn:aws:sqs:eu-west-1:123456789012:alerts"), "");
  EXPECT_EQ(RegionOfTopicArn("arn:aws:sns:eu-west-1:123456789012:"), "");
}

// A port on loopback that nothing listens on: bound, then closed again.
uint16_t ClosedLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

TEST(WebhookNotifierTest, AFailedCallNamesOnlyTheOriginNeverThePath) {
  const std::string origin = "http://127.0.0.1:" + std::to_string(ClosedLoopbackPort());
  WebhookSettings settings;
  settings.url = origin + "/services/T0/B0/s3cr3t-token?sig=also-secret";
  settings.timeout = 2000ms;
  auto notifier = NewWebhookNotifier(settings);
  ASSERT_TRUE(notifier.ok());
  Status s = (*notifier)->Notify(Event());
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.IsRetryable()) << s.ToString();
  EXPECT_EQ(s.message().rfind("webhook " + origin + ": ", 0), 0u) << s.message();
  EXPECT_EQ(s.ToString().find("s3cr3t"), std::string::npos) << s.ToString();
  EXPECT_EQ(s.ToString().find("/services"), std::string::npos) << s.ToString();
  EXPECT_EQ(s.ToString().find("also-secret"), std::string::npos) << s.ToString();
}

// A refusal keeps the status the endpoint answered as data, for whoever decides on it.
TEST(WebhookNotifierTest, ARefusalCarriesTheAnsweredStatusAsThePeersAnswer) {
  net::testing::TestHttpServer server(
      net::testing::ScriptedHandler({{503, {}, ""}, {404, {}, ""}}));
  WebhookSettings settings;
  settings.url = server.url() + "/hook";
  auto notifier = NewWebhookNotifier(settings);
  ASSERT_TRUE(notifier.ok());
  Status busy = (*notifier)->Notify(Event());
  EXPECT_EQ(busy.code(), StatusCode::kUnavailable) << busy.ToString();
  EXPECT_EQ(busy.peer_http_status(), 503);
  Status missing = (*notifier)->Notify(Event());
  EXPECT_EQ(missing.code(), StatusCode::kInvalidArgument) << missing.ToString();
  EXPECT_EQ(missing.peer_http_status(), 404);
}

TEST(WebhookNotifierTest, AnUnparsableUrlIsReportedWithoutItsPath) {
  WebhookSettings settings;
  settings.url = "https://bad host:99999/hooks/s3cr3t-token";
  auto notifier = NewWebhookNotifier(settings);
  ASSERT_TRUE(notifier.ok());
  Status s = (*notifier)->Notify(Event());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.ToString().find("s3cr3t"), std::string::npos) << s.ToString();
  EXPECT_EQ(s.ToString().find("/hooks"), std::string::npos) << s.ToString();
}

DeliveryOptions FastRetries(int attempts) {
  DeliveryOptions o;
  o.max_attempts = attempts;
  o.backoff = BackoffPolicy{1ms, 5ms};
  return o;
}

// The delivery queue owns its notifiers; the test keeps its recording one and lends it.
std::vector<std::unique_ptr<Notifier>> Lend(std::initializer_list<Notifier*> notifiers) {
  std::vector<std::unique_ptr<Notifier>> list;
  for (Notifier* n : notifiers) list.push_back(std::make_unique<NotifierWrapper>(*n));
  return list;
}

TEST(DeliveryQueueTest, RetriesAFailingNotifierUntilItSucceeds) {
  RecordingNotifier flaky;
  flaky.FailNext(2);
  auto queue = NewDeliveryQueue(Lend({&flaky}), FastRetries(5));
  ASSERT_TRUE(queue->Notify(Event()).ok());
  EXPECT_TRUE(flaky.WaitForCalls(3, 5s));
  queue.reset();  // joins the delivery thread: whatever it was going to do is done
  EXPECT_EQ(flaky.calls(), 3);
}

TEST(DeliveryQueueTest, GivesUpAfterMaxAttempts) {
  RecordingNotifier flaky;
  flaky.FailAlways();
  RecordingNotifier after;
  auto queue = NewDeliveryQueue(Lend({&flaky, &after}), FastRetries(3));
  ASSERT_TRUE(queue->Notify(Event()).ok());
  // The next notifier is reached only once the first has given up.
  ASSERT_TRUE(after.WaitForCalls(1, 5s));
  EXPECT_EQ(flaky.calls(), 3);
}

// A delivery held until released: Notify on the queue must not wait for it.
TEST(DeliveryQueueTest, NotifyReturnsWhileADeliveryIsStuck) {
  RecordingNotifier blocked;
  blocked.Hold();
  auto queue = NewDeliveryQueue(Lend({&blocked}), FastRetries(1));
  EXPECT_TRUE(queue->Notify(Event()).ok());
  EXPECT_TRUE(blocked.WaitForCalls(1, 5s));  // the first delivery is stuck inside the notifier
  EXPECT_TRUE(queue->Notify(Event()).ok());
  blocked.Release();
}

}  // namespace
}  // namespace pictor::notify
