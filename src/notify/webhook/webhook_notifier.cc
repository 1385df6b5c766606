#include "notify/webhook/webhook_notifier.h"

#include <fmt/format.h>

#include "core/digest.h"
#include "core/hex.h"
#include "net/http_client.h"
#include "net/http_url.h"
#include "notify/alarm_message.h"

namespace pictor::notify {
namespace {

// scheme://host[:port] and nothing else: a webhook URL's path is often its secret (Slack's
// are), and user:password@ would be one too.
std::string Origin(const std::string& url) {
  if (auto u = net::ParseHttpUrl(url); u.ok()) {
    return (u->tls ? "https://" : "http://") +
           net::FormatAuthority(u->host, u->port, u->tls ? 443 : 80);
  }
  const size_t scheme = url.find("://");
  const size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  std::string authority = url.substr(start, url.find_first_of("/?#", start) - start);
  if (size_t at = authority.rfind('@'); at != std::string::npos) authority.erase(0, at + 1);
  return url.substr(0, start) + authority;
}

// The HTTP client's errors name the URL it called, path included; a logged or reported error
// must carry only the origin, so the URL is taken out of the message and the origin put first.
Status WithoutUrl(const Status& status, const std::string& url) {
  std::string message = status.message();
  const size_t scheme = url.find("://");
  const size_t path = url.find_first_of("/?#", scheme == std::string::npos ? 0 : scheme + 3);
  if (path != std::string::npos) {
    // Longest first: the whole tail, then the tail without query or fragment.
    for (const std::string& secret :
         {url.substr(path), url.substr(path, url.find_first_of("?#", path) - path)}) {
      if (secret.size() <= 1) continue;
      for (size_t at = message.find(secret); at != std::string::npos;
           at = message.find(secret, at)) {
        message.erase(at, secret.size());
      }
    }
  }
  const size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  const std::string authority = url.substr(start, path == std::string::npos ? path : path - start);
  if (size_t at = authority.rfind('@'); at != std::string::npos) {
    const std::string userinfo = authority.substr(0, at + 1);
    for (size_t i = message.find(userinfo); i != std::string::npos; i = message.find(userinfo, i)) {
      message.erase(i, userinfo.size());
    }
  }
  return Status(status.code(), fmt::format("webhook {}: {}", Origin(url), message),
                status.reason());
}

class WebhookNotifier final : public Notifier {
 public:
  explicit WebhookNotifier(WebhookSettings s) : s_(std::move(s)), http_(net::NewHttpClient(2)) {}

  Status Notify(const AlarmEvent& event) override {
    net::HttpCall call;
    call.method = "POST";
    call.url = s_.url;
    call.body = AlarmJson(event);
    call.headers.emplace_back("Content-Type", "application/json");
    call.headers.emplace_back("User-Agent", "pictor-alarm/" PICTOR_VERSION);
    call.headers.emplace_back(
        "X-Pictor-Timestamp",
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count()));
    if (!s_.secret.empty()) {
      call.headers.emplace_back("X-Pictor-Signature", WebhookSignature(s_.secret, call.body));
    }
    call.connect_timeout = std::min(s_.timeout, std::chrono::milliseconds(3000));
    call.total_timeout = s_.timeout;
    auto reply = http_->Perform(call);
    if (!reply.ok()) return WithoutUrl(reply.status(), s_.url);
    const long code = reply->status;
    if (code >= 200 && code < 300) return Status::Ok();
    std::string msg = fmt::format("webhook {} answered HTTP {}", Origin(s_.url), code);
    const PeerError peer{.http_status = static_cast<int>(code), .code = {}};
    if (code == 429 || code >= 500 || code == 408) return Status::Unavailable(msg).WithPeer(peer);
    return Status::InvalidArgument(msg).WithPeer(peer);
  }

  std::string Describe() const override { return fmt::format("webhook {}", Origin(s_.url)); }

 private:
  const WebhookSettings s_;
  std::unique_ptr<net::HttpClient> http_;
};

}  // namespace

std::string WebhookSignature(const std::string& secret, const std::string& body) {
  return fmt::format("sha256={}", HexEncode(HmacSha256(secret, body)));
}

Result<std::unique_ptr<Notifier>> NewWebhookNotifier(WebhookSettings settings) {
  if (settings.url.rfind("http://", 0) != 0 && settings.url.rfind("https://", 0) != 0) {
    return Status::InvalidArgument("a webhook needs an http:// or https:// URL");
  }
  return std::unique_ptr<Notifier>(std::make_unique<WebhookNotifier>(std::move(settings)));
}

}  // namespace pictor::notify
