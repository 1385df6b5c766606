// Delivering job webhooks: the address check at delivery time, the signed POST, what each answer
// leads to, and the retry schedule (src/webhook/).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "core/webhook_signature.h"
#include "fakes/memory_ledger.h"
#include "fakes/scripted_http_client.h"
#include "outbox/sqlite/sqlite_webhook_outbox.h"
#include "webhook/webhook_dispatcher.h"
#include "webhook/webhook_sender.h"

namespace pictor::webhook {
namespace {

using namespace std::chrono_literals;
using Outcome = Attempt::Outcome;

WebhookMessage Message(const std::string& url, bool trusted = false) {
  WebhookMessage m;
  m.id = "msg_1";
  m.job_id = "job-1";
  m.url = url;
  m.trusted = trusted;
  m.body = R"({"id":"job-1","status":"succeeded"})";
  return m;
}

// A resolver answering `addresses` for every name, counting its calls.
struct FixedResolver {
  std::vector<std::string> addresses;
  int calls = 0;
  Resolver Get() {
    return
        [this](const std::string&, std::chrono::milliseconds) -> Result<std::vector<std::string>> {
          ++calls;
          return addresses;
        };
  }
};

std::string HeaderOf(const net::HttpCall& call, const std::string& name) {
  for (const auto& [n, v] : call.headers) {
    if (n == name) return v;
  }
  return "";
}

TEST(WebhookSender, RefusesANameThatResolvesToLoopbackWithoutConnecting) {
  testing::ScriptedHttpClient client;
  FixedResolver resolver{{"127.0.0.1"}};
  Sender sender(client, SenderOptions{"key", false, resolver.Get()});
  Attempt a = sender.Send(Message("https://rebind.example.com/hook?token=secret"), 1);
  EXPECT_EQ(a.outcome, Outcome::kGiveUp);
  EXPECT_EQ(resolver.calls, 1);
  EXPECT_TRUE(client.calls().empty());
  EXPECT_NE(a.error.find("https://rebind.example.com"), std::string::npos) << a.error;
  EXPECT_NE(a.error.find("loopback"), std::string::npos) << a.error;
  EXPECT_EQ(a.error.find("token"), std::string::npos) << a.error;
  EXPECT_EQ(a.error.find("/hook"), std::string::npos) << a.error;
}

TEST(WebhookSender, RefusesWhenAnyResolvedAddressIsNotPublic) {
  for (const char* bad : {"169.254.169.254", "10.0.0.7", "::1", "::ffff:127.0.0.1", "fd00::5",
                          "fe80::1", "not-an-address"}) {
    testing::ScriptedHttpClient client;
    FixedResolver resolver{{"93.184.216.34", bad}};
    Sender sender(client, SenderOptions{"key", false, resolver.Get()});
    EXPECT_EQ(sender.Send(Message("https://hooks.example.com/"), 1).outcome, Outcome::kGiveUp)
        << bad;
    EXPECT_TRUE(client.calls().empty()) << bad;
  }
}

TEST(WebhookSender, RefusesLocalhostAndPrivateLiteralsAtDeliveryToo) {
  for (const char* url : {"http://localhost:8080/", "http://foo.localhost/", "http://127.1/",
                          "http://[::1]/", "http://10.0.0.1/"}) {
    testing::ScriptedHttpClient client;
    FixedResolver resolver{{"93.184.216.34"}};
    Sender sender(client, SenderOptions{"key", false, resolver.Get()});
    EXPECT_EQ(sender.Send(Message(url), 1).outcome, Outcome::kGiveUp) << url;
    EXPECT_EQ(resolver.calls, 0) << url;
    EXPECT_TRUE(client.calls().empty()) << url;
  }
}

TEST(WebhookSender, ConnectsToTheAddressesItCheckedAndSignsTheMessage) {
  testing::ScriptedHttpClient client;
  client.Reply(204);
  FixedResolver resolver{{"93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"}};
  Sender sender(client, SenderOptions{"key", false, resolver.Get()});
  WebhookMessage m = Message("https://Hooks.Example.com/in?token=t");
  Attempt a = sender.Send(m, 1700000000);
  EXPECT_EQ(a.outcome, Outcome::kDelivered);
  EXPECT_EQ(a.http_status, 204);
  ASSERT_EQ(client.calls().size(), 1u);
  const net::HttpCall call = client.calls()[0];
  EXPECT_EQ(call.method, "POST");
  EXPECT_EQ(call.url, "https://hooks.example.com:443/in?token=t");
  EXPECT_EQ(call.connect_addresses,
            (std::vector<std::string>{"93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"}));
  EXPECT_EQ(call.body, m.body);
  EXPECT_EQ(HeaderOf(call, "Content-Type"), "application/json");
  EXPECT_EQ(HeaderOf(call, "webhook-id"), "msg_1");
  EXPECT_EQ(HeaderOf(call, "webhook-timestamp"), "1700000000");
  EXPECT_EQ(HeaderOf(call, "webhook-signature"),
            WebhookSignature("key", "msg_1", 1700000000, m.body));
}

TEST(WebhookSender, TrustsTheOperatorsUrlAndAllowsPrivateWhenToldTo) {
  testing::ScriptedHttpClient client;
  client.Reply(200);
  client.Reply(200);
  FixedResolver resolver{{"127.0.0.1"}};
  Sender strict(client, SenderOptions{"key", false, resolver.Get()});
  EXPECT_EQ(strict.Send(Message("http://127.0.0.1:9/hook", /*trusted=*/true), 1).outcome,
            Outcome::kDelivered);
  Sender open(client, SenderOptions{"key", true, resolver.Get()});
  EXPECT_EQ(open.Send(Message("http://localhost:9/hook"), 1).outcome, Outcome::kDelivered);
  EXPECT_EQ(resolver.calls, 0);
  ASSERT_EQ(client.calls().size(), 2u);
  EXPECT_TRUE(client.calls()[0].connect_addresses.empty());
}

TEST(WebhookSender, SaysWhatEachAnswerLeadsToAndNamesOnlyTheOrigin) {
  struct Case {
    long status;
    Outcome outcome;
  };
  for (const Case& c :
       {Case{200, Outcome::kDelivered}, Case{299, Outcome::kDelivered}, Case{410, Outcome::kGiveUp},
        Case{500, Outcome::kRetry}, Case{503, Outcome::kRetry}, Case{404, Outcome::kRetry},
        Case{429, Outcome::kRetry}, Case{302, Outcome::kRetry}}) {
    testing::ScriptedHttpClient client;
    client.Reply(c.status);
    FixedResolver resolver{{"93.184.216.34"}};
    Sender sender(client, SenderOptions{"key", false, resolver.Get()});
    Attempt a = sender.Send(Message("https://hooks.example.com:8443/p/secret?token=t"), 1);
    EXPECT_EQ(a.outcome, c.outcome) << c.status;
    EXPECT_EQ(a.http_status, c.status);
    EXPECT_EQ(a.error.find("secret"), std::string::npos) << a.error;
    if (c.outcome != Outcome::kDelivered) {
      EXPECT_NE(a.error.find("https://hooks.example.com:8443 answered " + std::to_string(c.status)),
                std::string::npos)
          << a.error;
    }
  }
  testing::ScriptedHttpClient client;
  client.Fail(Status::DeadlineExceeded("POST https://hooks.example.com/p/secret: timed out"));
  FixedResolver resolver{{"93.184.216.34"}};
  Sender sender(client, SenderOptions{"key", false, resolver.Get()});
  Attempt a = sender.Send(Message("https://hooks.example.com/p/secret"), 1);
  EXPECT_EQ(a.outcome, Outcome::kRetry);
  EXPECT_EQ(a.http_status, 0);
  EXPECT_EQ(a.error, "https://hooks.example.com: no answer in time");
}

TEST(WebhookRetry, DoublesFromFiveSecondsToTenMinutesWithJitterAndEndsAfterAnHour) {
  const RetryPolicy policy;
  EXPECT_EQ(policy.base, 5000ms);
  EXPECT_EQ(policy.cap, 600000ms);
  EXPECT_EQ(policy.give_up, 3600000ms);
  const std::vector<int64_t> ceilings = {5000,   10000,  20000,  40000,  80000,
                                         160000, 320000, 600000, 600000, 600000};
  for (size_t i = 0; i < ceilings.size(); ++i) {
    const int attempts = static_cast<int>(i) + 1;
    EXPECT_EQ(RetryDelay(policy, attempts, 0.0).count(), ceilings[i] / 2) << attempts;
    EXPECT_LE(RetryDelay(policy, attempts, 0.999999).count(), ceilings[i]) << attempts;
    EXPECT_GE(RetryDelay(policy, attempts, 0.999999).count(), ceilings[i] - 1) << attempts;
  }
  // At the longest waits an hour holds about 11 to 16 attempts.
  int64_t at = 0;
  int attempts = 0;
  while (at < policy.give_up.count()) at += RetryDelay(policy, ++attempts, 0.5).count();
  EXPECT_GE(attempts, 10);
  EXPECT_LE(attempts, 20);

  const RetryPolicy fast = ScaledRetryPolicy(10ms);
  EXPECT_EQ(fast.base, 10ms);
  EXPECT_EQ(fast.cap, 1200ms);
  EXPECT_EQ(fast.give_up, 7200ms);
  EXPECT_EQ(ScaledRetryPolicy(5000ms).give_up, policy.give_up);
}

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pictor-webhook-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto opened = OpenSqliteWebhookOutbox((dir_ / "ledger.db").string());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    outbox_ = std::move(opened).value();
    JobRecord job;
    job.id = "job-1";
    ASSERT_TRUE(ledger_.Put(job).ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  WebhookDelivery AwaitFinal() {
    for (int i = 0; i < 1000; ++i) {
      auto job = ledger_.Get("job-1");
      if (job.ok() && (job->webhook.state == "delivered" || job->webhook.state == "failed")) {
        return job->webhook;
      }
      std::this_thread::sleep_for(10ms);
    }
    ADD_FAILURE() << "the webhook reached no final state";
    return {};
  }

  // Enqueues one message, runs a dispatcher until the job's webhook is final, and stops it.
  WebhookDelivery DeliverOne(const DispatcherOptions& options) {
    Sender sender(client_, SenderOptions{"key", false, resolver_.Get()});
    Dispatcher dispatcher(*outbox_, sender, &ledger_, &metrics_, options);
    dispatcher.Start();
    EXPECT_TRUE(dispatcher.Enqueue(Message("https://hooks.example.com/in")).ok());
    const WebhookDelivery d = AwaitFinal();
    dispatcher.Stop();
    return d;
  }

  DispatcherOptions FastOptions() {
    DispatcherOptions o;
    o.retry = ScaledRetryPolicy(5ms);
    o.poll_interval = 5ms;
    o.threads = 2;
    return o;
  }

  std::filesystem::path dir_;
  std::unique_ptr<WebhookOutbox> outbox_;
  testing::MemoryLedger ledger_;
  MetricsRegistry metrics_;
  testing::ScriptedHttpClient client_;
  FixedResolver resolver_{{"93.184.216.34"}};
};

TEST_F(DispatcherTest, RetriesAfterA500AndRecordsTheDelivery) {
  client_.Reply(500);
  client_.Reply(200);
  const WebhookDelivery d = DeliverOne(FastOptions());
  EXPECT_EQ(d.state, "delivered");
  EXPECT_EQ(d.attempts, 2);
  EXPECT_EQ(d.last_status, 200);
  EXPECT_EQ(d.last_error, "");
  EXPECT_GT(d.last_attempt_ms, 0);
  ASSERT_EQ(client_.calls().size(), 2u);
  EXPECT_EQ(HeaderOf(client_.calls()[0], "webhook-id"), HeaderOf(client_.calls()[1], "webhook-id"));
  EXPECT_EQ(*outbox_->Count(), 0);
  EXPECT_EQ(
      metrics_.GetCounter("pictor_webhook_deliveries_total", "", {{"outcome", "retried"}}).Value(),
      1);
  EXPECT_EQ(metrics_.GetCounter("pictor_webhook_deliveries_total", "", {{"outcome", "delivered"}})
                .Value(),
            1);
}

// The record of attempt n is written before the outbox lets attempt n+1 begin: a slow write of
// "pending" must not land after the next attempt's "delivered".
TEST_F(DispatcherTest, ALateWriteOfAnAttemptNeverHidesTheNextOne) {
  client_.Reply(500);
  client_.Reply(200);
  ledger_.BeforeWebhookWrite([this](const WebhookDelivery& d) {
    if (d.state != "pending") return;
    // Held until a second attempt was made, or for 300 ms if the dispatcher waits for this write.
    for (int i = 0; i < 30 && client_.calls().size() < 2; ++i) std::this_thread::sleep_for(10ms);
  });
  const WebhookDelivery d = DeliverOne(FastOptions());
  EXPECT_EQ(d.state, "delivered");
  EXPECT_EQ(d.attempts, 2);
  EXPECT_EQ(ledger_.Get("job-1")->webhook.state, "delivered");
}

TEST_F(DispatcherTest, StopsAt410Gone) {
  client_.Reply(410);
  const WebhookDelivery d = DeliverOne(FastOptions());
  EXPECT_EQ(d.state, "failed");
  EXPECT_EQ(d.attempts, 1);
  EXPECT_EQ(d.last_status, 410);
  EXPECT_EQ(client_.calls().size(), 1u);
  EXPECT_EQ(*outbox_->Count(), 0);
}

TEST_F(DispatcherTest, GivesUpWhenTheRetriesRunPastTheirTime) {
  client_.ReplyAlways(503);
  DispatcherOptions o = FastOptions();
  o.retry = ScaledRetryPolicy(1ms);  // gives up after 720 ms
  const WebhookDelivery d = DeliverOne(o);
  EXPECT_EQ(d.state, "failed");
  EXPECT_GT(d.attempts, 3);
  EXPECT_EQ(d.last_status, 503);
  EXPECT_NE(d.last_error.find("gave up after"), std::string::npos) << d.last_error;
  EXPECT_EQ(*outbox_->Count(), 0);
}

TEST_F(DispatcherTest, DeliversWhatAnotherProcessLeftInTheOutbox) {
  WebhookMessage left = Message("https://hooks.example.com/in");
  left.created_ms = SystemClock().NowMs();
  left.next_attempt_ms = 0;
  ASSERT_TRUE(outbox_->Add(left).ok());
  client_.Reply(200);
  Sender sender(client_, SenderOptions{"key", false, resolver_.Get()});
  Dispatcher dispatcher(*outbox_, sender, &ledger_, &metrics_, FastOptions());
  dispatcher.Start();
  EXPECT_EQ(AwaitFinal().state, "delivered");
  dispatcher.Stop();
}

}  // namespace
}  // namespace pictor::webhook
