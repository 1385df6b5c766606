// The Notifier contract run against each adapter: SMTP to tests/peers/smtp_sink.py, a webhook
// to tests/peers/webhook_sink.py, SNS on fauxqs, and the recording fake.
#include <filesystem>
#include <memory>
#include <regex>
#include <string>

#include "app/registry.h"
#include "contract/notifier_contract.h"
#include "contract/temp_dir.h"
#include "fakes/recording_notifier.h"
#include "net/http_client.h"
#include "peers/peer_process.h"
#include "unit/queue_sqs/sqs_test_env.h"

namespace pictor::testing {
namespace {

namespace fs = std::filesystem;

int FilesEndingIn(const fs::path& dir, const std::string& extension) {
  int n = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    n += entry.path().extension() == extension ? 1 : 0;
  }
  return n;
}

std::unique_ptr<Notifier> Make(const std::string& spec, const app::NotifierSettings& settings) {
  auto parsed = app::ParseNotifierSpec(spec);
  EXPECT_TRUE(parsed.ok()) << spec << ": " << parsed.status().ToString();
  if (!parsed.ok()) return nullptr;
  auto made = app::MakeNotifier(*parsed, settings);
  EXPECT_TRUE(made.ok()) << spec << ": " << made.status().ToString();
  return made.ok() ? std::move(made).value() : nullptr;
}

// A sink run by python3 that writes what it receives into a directory.
class SinkUnderTest : public NotifierUnderTest {
 protected:
  Status StartSink(const std::string& script, std::vector<std::string> args) {
    if (Status s = dir_.Make(); !s.ok()) return s;
    std::vector<std::string> argv = {"/usr/bin/python3", SourceDir() + "/tests/peers/" + script,
                                     dir_.path().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    auto sink = PeerProcess::Start(argv);
    if (!sink.ok()) return sink.status();
    sink_ = std::move(sink).value();
    return Status::Ok();
  }

  TempDir dir_;
  std::unique_ptr<PeerProcess> sink_;
};

class SmtpUnderTest final : public SinkUnderTest {
 public:
  static Result<std::unique_ptr<NotifierUnderTest>> Open() {
    auto self = std::unique_ptr<SmtpUnderTest>(new SmtpUnderTest);
    if (Status s = self->StartSink("smtp_sink.py", {}); !s.ok()) return s;
    self->notifier_ = Make(self->Spec(self->sink_->port()), Settings());
    if (self->notifier_ == nullptr) return Status::Internal("no SMTP notifier");
    return std::unique_ptr<NotifierUnderTest>(std::move(self));
  }
  Notifier& notifier() override { return *notifier_; }
  std::unique_ptr<Notifier> Unreachable() override {
    return Make(Spec(ClosedLoopbackPort()), Settings());
  }
  int Delivered() override { return FilesEndingIn(dir_.path(), ".eml"); }

 private:
  SmtpUnderTest() = default;
  static app::NotifierSettings Settings() {
    app::NotifierSettings settings;
    settings.alert_email = "ops@example.com";
    return settings;
  }
  std::string Spec(int port) const { return "smtp://127.0.0.1:" + std::to_string(port); }
  std::unique_ptr<Notifier> notifier_;
};

class WebhookUnderTest final : public SinkUnderTest {
 public:
  static constexpr const char* kSecret = "whsec-contract-4f1b9d";
  static Result<std::unique_ptr<NotifierUnderTest>> Open() {
    auto self = std::unique_ptr<WebhookUnderTest>(new WebhookUnderTest);
    if (Status s = self->StartSink("webhook_sink.py", {kSecret}); !s.ok()) return s;
    self->notifier_ = Make(self->Spec(self->sink_->port()), Settings());
    if (self->notifier_ == nullptr) return Status::Internal("no webhook notifier");
    return std::unique_ptr<NotifierUnderTest>(std::move(self));
  }
  Notifier& notifier() override { return *notifier_; }
  std::unique_ptr<Notifier> Unreachable() override {
    return Make(Spec(ClosedLoopbackPort()), Settings());
  }
  int Delivered() override { return FilesEndingIn(dir_.path(), ".json"); }
  std::string Secret() const override { return kSecret; }

 private:
  WebhookUnderTest() = default;
  static app::NotifierSettings Settings() {
    app::NotifierSettings settings;
    settings.webhook_secret = kSecret;
    return settings;
  }
  std::string Spec(int port) const {
    return "http://127.0.0.1:" + std::to_string(port) + "/hooks/alarm?token=" + kSecret;
  }
  std::unique_ptr<Notifier> notifier_;
};

// A topic on a fauxqs of its own. SNS keeps what it accepted, so delivery shows as Publish's OK.
class SnsUnderTest final : public NotifierUnderTest {
 public:
  static Result<std::unique_ptr<NotifierUnderTest>> Open() {
    auto self = std::unique_ptr<SnsUnderTest>(new SnsUnderTest);
    auto peer = StartFauxqs();
    if (!peer.ok()) return peer.status();
    self->peer_ = std::move(peer).value();
    self->env_ = std::make_unique<sqs::testing::ScopedSqsEnv>(self->peer_->base_url().c_str());
    auto arn = self->CreateTopic("alarms");
    if (!arn.ok()) return arn.status();
    self->arn_ = *arn;
    self->notifier_ = Make(self->arn_, {});
    if (self->notifier_ == nullptr) return Status::Internal("no SNS notifier");
    return std::unique_ptr<NotifierUnderTest>(std::move(self));
  }
  Notifier& notifier() override { return *notifier_; }
  std::unique_ptr<Notifier> Unreachable() override {
    const std::string closed = "http://127.0.0.1:" + std::to_string(ClosedLoopbackPort());
    sqs::testing::ScopedVar endpoint("AWS_ENDPOINT_URL", closed.c_str());
    return Make(arn_, {});
  }
  int Delivered() override { return -1; }

 private:
  SnsUnderTest() = default;

  Result<std::string> CreateTopic(const std::string& name) {
    net::HttpCall call;
    call.method = "POST";
    call.url = peer_->base_url() + "/";
    call.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    call.body = "Action=CreateTopic&Version=2010-03-31&Name=" + name;
    auto reply = http_->Perform(call);
    if (!reply.ok()) return reply.status();
    std::smatch arn;
    if (reply->status != 200 ||
        !std::regex_search(reply->body, arn, std::regex("<TopicArn>([^<]+)</TopicArn>"))) {
      return Status::Internal("CreateTopic: " + std::to_string(reply->status) + " " + reply->body);
    }
    return arn[1].str();
  }

  std::unique_ptr<PeerProcess> peer_;
  std::unique_ptr<sqs::testing::ScopedSqsEnv> env_;
  std::unique_ptr<net::HttpClient> http_ = net::NewHttpClient();
  std::string arn_;
  std::unique_ptr<Notifier> notifier_;  // last: goes before the peer it talks to
};

class RecordingUnderTest final : public NotifierUnderTest {
 public:
  Notifier& notifier() override { return notifier_; }
  std::unique_ptr<Notifier> Unreachable() override {
    auto down = std::make_unique<RecordingNotifier>("recording, down");
    down->FailAlways(Status::Unavailable("connection refused"));
    return down;
  }
  int Delivered() override { return notifier_.calls(); }

 private:
  RecordingNotifier notifier_;
};

INSTANTIATE_TEST_SUITE_P(
    Adapters, NotifierContract,
    ::testing::Values(NotifierAdapter{"Smtp", SmtpUnderTest::Open},
                      NotifierAdapter{"Webhook", WebhookUnderTest::Open},
                      NotifierAdapter{"SnsOnFauxqs", SnsUnderTest::Open},
                      NotifierAdapter{"RecordingFake",
                                      []() -> Result<std::unique_ptr<NotifierUnderTest>> {
                                        return std::unique_ptr<NotifierUnderTest>(
                                            new RecordingUnderTest);
                                      }}),
    [](const ::testing::TestParamInfo<NotifierAdapter>& info) { return info.param.name; });

}  // namespace
}  // namespace pictor::testing
