// A webhook: the event as a JSON POST (alarm_message.h's AlarmJson, with a Slack-compatible
// "text"), signed with HMAC-SHA256 when a secret is set:
//   X-Pictor-Signature: sha256=<hex of HMAC-SHA256(secret, body)>
//   X-Pictor-Timestamp: <unix seconds>  (also inside the body's "time"; informative)
#ifndef PICTOR_NOTIFY_WEBHOOK_WEBHOOK_NOTIFIER_H_
#define PICTOR_NOTIFY_WEBHOOK_WEBHOOK_NOTIFIER_H_

#include <chrono>
#include <memory>
#include <string>

#include "pictor/notifier.h"

namespace pictor::notify {

struct WebhookSettings {
  std::string url;     // http:// or https://
  std::string secret;  // PICTOR_WEBHOOK_SECRET; empty = unsigned; never logged
  std::chrono::milliseconds timeout{10000};
};

// The signature header's value for `body`: "sha256=<64 hex>".
std::string WebhookSignature(const std::string& secret, const std::string& body);

// InvalidArgument for a URL that is not http(s). Notify makes one POST: 2xx is OK, 429 and 5xx
// are Unavailable (retryable), another status is InvalidArgument; transport errors are the HTTP
// client's.
Result<std::unique_ptr<Notifier>> NewWebhookNotifier(WebhookSettings settings);

}  // namespace pictor::notify

#endif  // PICTOR_NOTIFY_WEBHOOK_WEBHOOK_NOTIFIER_H_
