#include "app/webhooks.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <utility>

#include "app/registry.h"
#include "core/digest.h"
#include "core/number_text.h"
#include "core/percent_encoding.h"
#include "core/webhook_signature.h"
#include "core/webhook_url.h"
#include "http/api_responses.h"

namespace pictor::app {
namespace {

// The image URL in a payload lives as long as a GET /jobs/{id} answer's.
constexpr std::chrono::seconds kUrlTtl{3600};

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

// Unique per (job, final state, URL), so the same final state reported twice (a redelivered
// message) is one message, with one webhook-id, however often it is attempted.
std::string MessageId(const JobRecord& record, const std::string& url) {
  return "msg_" + Sha256Hex(record.id + "\n" + std::string(JobStateName(record.state)) + "\n" + url)
                      .substr(0, 32);
}

}  // namespace

void AddWebhookOptions(CLI::App& command, WebhookSettings& settings) {
  command
      .add_option("--webhook", settings.url,
                  "http(s) URL POSTed every job's record when it succeeds, fails or is cancelled, "
                  "signed with PICTOR_WEBHOOK_SECRET (Standard Webhooks); trusted, unlike the "
                  "webhook_url clients send")
      ->envname("PICTOR_WEBHOOK");
  command
      .add_flag("--allow-private-webhooks", settings.allow_private,
                "Let clients' webhook_url reach loopback, private and link-local addresses "
                "(refused by default: server-side request forgery)")
      ->envname("PICTOR_ALLOW_PRIVATE_WEBHOOKS");
}

Webhooks::~Webhooks() { Stop(); }

void Webhooks::Start() {
  if (dispatcher_ != nullptr && mode_ == Mode::kThreads) dispatcher_->Start();
}

void Webhooks::Stop() {
  if (dispatcher_ != nullptr) dispatcher_->Stop();
}

std::string Webhooks::BodyOf(const JobRecord& record) const {
  std::string url;
  if (record.state == JobState::kSucceeded) {
    if (auto direct = runtime_->store->DirectUrl(record.key, kUrlTtl)) {
      url = *direct;
    } else {
      url = public_url_ + "/images/" + PercentEncode(record.key, /*keep_slash=*/true);
    }
  }
  return http::JobJson(record, url).dump();
}

void Webhooks::JobChanged(const JobRecord& record) {
  if (!enabled_ || !IsFinalJobState(record.state)) return;
  // A delivery already begun: this final state was reported before (a redelivered message).
  if (!record.webhook.state.empty()) return;
  if (record.webhook_url.empty() && operator_url_.empty()) return;
  const std::string body = BodyOf(record);
  auto send = [&](const std::string& url, bool trusted, bool reported) {
    WebhookMessage m;
    m.id = MessageId(record, url);
    m.job_id = record.id;
    m.url = url;
    m.trusted = trusted;
    m.reported = reported;
    m.body = body;
    if (reported && runtime_->ledger != nullptr) {
      WebhookDelivery pending;
      pending.state = "pending";
      (void)runtime_->ledger->SetWebhookDelivery(record.id, pending);
    }
    Status s = mode_ == Mode::kInline ? dispatcher_->DeliverNow(std::move(m))
                                      : dispatcher_->Enqueue(std::move(m));
    if (!s.ok()) {
      // The outbox could not keep it: said loudly, as the job's owner waits for it.
      spdlog::error("webhook of job {} not kept for delivery: {}", record.id, s.message());
      if (reported && runtime_->ledger != nullptr) {
        WebhookDelivery failed;
        failed.state = "failed";
        failed.last_error = "the webhook could not be queued for delivery";
        (void)runtime_->ledger->SetWebhookDelivery(record.id, failed);
      }
    }
  };
  if (!record.webhook_url.empty()) send(record.webhook_url, false, true);
  if (!operator_url_.empty()) send(operator_url_, true, record.webhook_url.empty());
}

void Webhooks::DeliverDue() {
  if (dispatcher_ == nullptr || outbox_ == nullptr) return;
  auto due = outbox_->Claim(SystemClock().NowMs(), 30000, 16);
  if (!due.ok()) {
    spdlog::warn("webhooks: {}", due.status().message());
    return;
  }
  for (WebhookMessage& m : *due) dispatcher_->Deliver(std::move(m));
}

Result<std::unique_ptr<Webhooks>> StartWebhooks(const WebhookSettings& settings, Runtime& runtime,
                                                std::string public_url, Webhooks::Mode mode) {
  std::unique_ptr<Webhooks> hooks(new Webhooks());
  hooks->runtime_ = &runtime;
  hooks->mode_ = mode;
  hooks->allow_private_ = settings.allow_private;
  hooks->operator_url_ = settings.url;
  hooks->public_url_ = std::move(public_url);
  const std::string secret = Env("PICTOR_WEBHOOK_SECRET");
  if (!settings.url.empty()) {
    if (auto url = ParseWebhookUrl(settings.url); !url.ok()) {
      return Status::InvalidArgument("--webhook: " + url.status().message());
    }
    if (secret.empty()) {
      return Status::InvalidArgument(
          "--webhook needs PICTOR_WEBHOOK_SECRET, the secret its messages are signed with "
          "(Standard Webhooks: whsec_ followed by base64)");
    }
  }
  if (secret.empty()) return hooks;  // disabled: clients' webhook_url is refused
  auto key = WebhookSigningKey(secret);
  if (!key.ok()) return Status::InvalidArgument("PICTOR_WEBHOOK_SECRET: " + key.status().message());
  auto outbox = MakeWebhookOutbox(runtime.ledger_spec,
                                  LedgerContext{runtime.store.get(), runtime.pipeline->key_prefix},
                                  runtime.ledger_store.get());
  if (!outbox.ok()) return outbox.status().WithContext("webhook outbox");
  if (*outbox == nullptr) {
    if (!settings.url.empty()) {
      return Status::InvalidArgument(
          "--webhook needs a job ledger to keep undelivered messages beside (--jobs)");
    }
    spdlog::warn("webhooks are off: there is no job ledger to keep undelivered messages beside");
    return hooks;
  }
  hooks->outbox_ = std::move(outbox).value();

  webhook::SenderOptions so;
  so.signing_key = std::move(key).value();
  so.allow_private = settings.allow_private;
  webhook::DispatcherOptions dopts;
  if (std::string base = Env("PICTOR_WEBHOOK_BACKOFF_MS"); !base.empty()) {
    auto ms = ParseIntegerSetting("PICTOR_WEBHOOK_BACKOFF_MS", base, 1, 3600000);
    if (!ms.ok()) return ms.status();
    dopts.retry = webhook::ScaledRetryPolicy(std::chrono::milliseconds(*ms));
  }
  dopts.poll_interval =
      std::clamp(dopts.retry.base, std::chrono::milliseconds(50), std::chrono::milliseconds(5000));
  dopts.lease = so.timeout + std::chrono::seconds(5);
  hooks->client_ = net::NewHttpClient();
  hooks->sender_ = std::make_unique<webhook::Sender>(*hooks->client_, so);
  hooks->dispatcher_ = std::make_unique<webhook::Dispatcher>(
      *hooks->outbox_, *hooks->sender_, runtime.ledger.get(), &runtime.metrics, dopts);
  hooks->enabled_ = true;
  runtime.observers.Add(hooks.get());
  return hooks;
}

}  // namespace pictor::app
