#include "notify/notifier_spec.h"

#include <fmt/format.h>

#include <cstdlib>

#include "notify/smtp/smtp_notifier.h"
#include "notify/sns/sns_notifier.h"
#include "notify/webhook/webhook_notifier.h"

namespace pictor::notify {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

Result<std::unique_ptr<Notifier>> MakeNotifier(std::string_view spec,
                                               const NotifierSettings& settings) {
  if (StartsWith(spec, "smtp://") || StartsWith(spec, "smtps://")) {
    SmtpSettings smtp;
    smtp.url = std::string(spec);
    smtp.recipient = settings.alert_email;
    smtp.starttls = settings.smtp_starttls;
    ApplySmtpEnvironment(smtp);
    return NewSmtpNotifier(std::move(smtp));
  }
  if (StartsWith(spec, "arn:")) return NewSnsNotifier(std::string(spec));
  if (StartsWith(spec, "http://") || StartsWith(spec, "https://")) {
    WebhookSettings webhook;
    webhook.url = std::string(spec);
    webhook.secret = settings.webhook_secret;
    if (webhook.secret.empty()) {
      const char* env = std::getenv("PICTOR_WEBHOOK_SECRET");
      if (env != nullptr) webhook.secret = env;
    }
    return NewWebhookNotifier(std::move(webhook));
  }
  return Status::InvalidArgument(
      fmt::format("unknown notifier '{}'; accepted: smtp://HOST:PORT, smtps://HOST:PORT, "
                  "arn:aws:sns:REGION:ACCOUNT:TOPIC, http(s)://URL",
                  spec));
}

Result<std::unique_ptr<Notifier>> MakeNotifiers(const std::vector<std::string>& specs,
                                                const NotifierSettings& settings,
                                                DeliveryOptions delivery) {
  if (specs.empty()) return std::unique_ptr<Notifier>();
  std::vector<std::unique_ptr<Notifier>> notifiers;
  for (const auto& spec : specs) {
    auto n = MakeNotifier(spec, settings);
    if (!n.ok()) return n.status();
    notifiers.push_back(std::move(n).value());
  }
  return NewDeliveryQueue(std::move(notifiers), delivery);
}

}  // namespace pictor::notify
