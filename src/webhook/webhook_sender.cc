#include "webhook/webhook_sender.h"

#include <utility>

#include "core/webhook_signature.h"
#include "core/webhook_url.h"

namespace pictor::webhook {
namespace {

Attempt GiveUp(std::string error) {
  return Attempt{Attempt::Outcome::kGiveUp, 0, std::move(error)};
}

// The URL HttpClient is given: rebuilt from its parts, so that what was checked is what is sent.
std::string CallUrl(const WebhookUrl& url) {
  const bool v6 = url.host.find(':') != std::string::npos;
  return std::string(url.tls ? "https" : "http") + "://" + (v6 ? "[" : "") + url.host +
         (v6 ? "]" : "") + ":" + std::to_string(url.port) + url.target;
}

// A transport failure in words that name nothing of the URL but what the caller adds.
std::string TransportError(const Status& status) {
  if (status.code() == StatusCode::kDeadlineExceeded) return "no answer in time";
  if (status.message().find("TLS error") != std::string::npos) return "TLS handshake failed";
  if (status.message().find("cannot resolve") != std::string::npos) return "name not resolved";
  return "connection failed";
}

}  // namespace

Sender::Sender(net::HttpClient& client, SenderOptions options)
    : client_(client), options_(std::move(options)) {}

Attempt Sender::Send(const WebhookMessage& message, int64_t now_s) const {
  auto url = ParseWebhookUrl(message.url);
  if (!url.ok()) return GiveUp("the webhook URL cannot be used: " + url.status().message());
  const std::string origin = url->Origin();

  net::HttpCall call;
  if (!message.trusted && !options_.allow_private) {
    if (IsLocalhostName(url->host)) return GiveUp(origin + " names this machine: refused");
    std::vector<std::string> addresses;
    if (ParseIpAddress(url->host)) {
      addresses.push_back(url->host);
    } else {
      auto resolved = options_.resolve ? options_.resolve(url->host, options_.timeout)
                                       : net::ResolveHost(url->host, options_.timeout);
      if (!resolved.ok()) {
        return Attempt{Attempt::Outcome::kRetry, 0,
                       origin + ": " + TransportError(resolved.status())};
      }
      if (resolved->empty()) return Attempt{Attempt::Outcome::kRetry, 0, origin + ": no address"};
      addresses = std::move(resolved).value();
    }
    for (const std::string& text : addresses) {
      auto address = ParseIpAddress(text);
      if (!address) return GiveUp(origin + " resolves to " + text + ", not an address: refused");
      if (auto why = NonPublicReason(*address)) {
        return GiveUp(origin + " resolves to " + text + ", " + *why +
                      ": refused (webhooks reach public addresses only)");
      }
      call.connect_addresses.push_back(address->ToString());
    }
  }

  call.method = "POST";
  call.url = CallUrl(*url);
  call.body = message.body;
  call.connect_timeout = options_.timeout;
  call.total_timeout = options_.timeout;
  call.headers = {{"Content-Type", "application/json"},
                  {"User-Agent", "Pictor-Webhook/1"},
                  {"webhook-id", message.id},
                  {"webhook-timestamp", std::to_string(now_s)}};
  if (!options_.signing_key.empty()) {
    call.headers.emplace_back(
        "webhook-signature",
        WebhookSignature(options_.signing_key, message.id, now_s, message.body));
  }
  auto reply = client_.Perform(call);
  if (!reply.ok()) {
    return Attempt{Attempt::Outcome::kRetry, 0, origin + ": " + TransportError(reply.status())};
  }
  const int status = static_cast<int>(reply->status);
  if (status >= 200 && status < 300) return Attempt{Attempt::Outcome::kDelivered, status, ""};
  const std::string answered = origin + " answered " + std::to_string(status);
  if (status == 410) return Attempt{Attempt::Outcome::kGiveUp, status, answered + " Gone"};
  if (status >= 300 && status < 400) {
    return Attempt{Attempt::Outcome::kRetry, status, answered + " (redirects are not followed)"};
  }
  return Attempt{Attempt::Outcome::kRetry, status, answered};
}

}  // namespace pictor::webhook
