#include "notify/webhook/webhook_notifier.h"

#include <fmt/format.h>

#include "aws/crypto.h"
#include "aws/http_client.h"
#include "notify/alarm_message.h"

namespace pictor::notify {
namespace {

// Everything but the path: a webhook URL's path is often its secret (Slack's are).
std::string Origin(const std::string& url) {
  const size_t scheme = url.find("://");
  const size_t slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return slash == std::string::npos ? url : url.substr(0, slash) + "/...";
}

class WebhookNotifier final : public Notifier {
 public:
  explicit WebhookNotifier(WebhookSettings s) : s_(std::move(s)), http_(aws::NewHttpClient(2)) {}

  Status Notify(const AlarmEvent& event) override {
    aws::HttpCall call;
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
    if (!reply.ok()) return reply.status().WithContext(fmt::format("webhook {}", Origin(s_.url)));
    const long code = reply->status;
    if (code >= 200 && code < 300) return Status::Ok();
    std::string msg = fmt::format("webhook {} answered HTTP {}", Origin(s_.url), code);
    if (code == 429 || code >= 500 || code == 408) return Status::Unavailable(msg);
    return Status::InvalidArgument(msg);
  }

  std::string Describe() const override { return fmt::format("webhook {}", Origin(s_.url)); }

 private:
  const WebhookSettings s_;
  std::unique_ptr<aws::HttpClient> http_;
};

}  // namespace

std::string WebhookSignature(const std::string& secret, const std::string& body) {
  return fmt::format("sha256={}", aws::HexEncode(aws::HmacSha256(secret, body)));
}

Result<std::unique_ptr<Notifier>> NewWebhookNotifier(WebhookSettings settings) {
  if (settings.url.rfind("http://", 0) != 0 && settings.url.rfind("https://", 0) != 0) {
    return Status::InvalidArgument("a webhook needs an http:// or https:// URL");
  }
  return std::unique_ptr<Notifier>(std::make_unique<WebhookNotifier>(std::move(settings)));
}

}  // namespace pictor::notify
