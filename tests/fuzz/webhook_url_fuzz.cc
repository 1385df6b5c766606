// Webhook URLs as POST /jobs takes them (core/webhook_url.h): ParseWebhookUrl,
// CheckClientWebhookUrl and ParseIpAddress/NonPublicReason. The input is the URL (and the address).
// Invariants: a parsed URL has a lower-case host without a trailing dot, a port and a target
// starting with '/'; its origin holds no path, query or user information; the URL the sender
// rebuilds from it is what the HTTP client (net/http_url.h) parses to the same host, port and
// target, so what was checked is what is connected to; a URL the client check accepts without
// private addresses is accepted with them; an address's text form parses to the same address.
#include <cctype>
#include <string>

#include "core/webhook_url.h"
#include "fuzz_check.h"
#include "net/http_url.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = pictor::fuzz::AsText(data, size);

  auto url = pictor::ParseWebhookUrl(text);
  if (url.ok()) {
    FUZZ_CHECK(text.size() <= pictor::kMaxWebhookUrlBytes);
    FUZZ_CHECK(!url->host.empty() && url->host.back() != '.' && url->port != 0);
    for (unsigned char c : url->host) FUZZ_CHECK(!std::isupper(c));
    FUZZ_CHECK(!url->target.empty() && url->target.front() == '/');
    FUZZ_CHECK(url->target.find('#') == std::string::npos);
    const std::string origin = url->Origin();
    FUZZ_CHECK(origin.find('@') == std::string::npos && origin.find('?') == std::string::npos);
    FUZZ_CHECK(origin.find('/', origin.find("://") + 3) == std::string::npos);
    const bool v6 = url->host.find(':') != std::string::npos;
    const std::string rebuilt = std::string(url->tls ? "https" : "http") + "://" + (v6 ? "[" : "") +
                                url->host + (v6 ? "]" : "") + ":" + std::to_string(url->port) +
                                url->target;
    auto sent = pictor::net::ParseHttpUrl(rebuilt);
    FUZZ_CHECK(sent.ok());
    FUZZ_CHECK(sent->host == url->host && sent->port == url->port && sent->target == url->target &&
               sent->tls == url->tls);
  } else {
    FUZZ_CHECK(url.status().code() == pictor::StatusCode::kInvalidArgument);
  }
  auto strict = pictor::CheckClientWebhookUrl(text, false);
  auto open = pictor::CheckClientWebhookUrl(text, true);
  FUZZ_CHECK(open.ok() == url.ok());
  if (strict.ok()) FUZZ_CHECK(open.ok());

  if (auto address = pictor::ParseIpAddress(text)) {
    auto again = pictor::ParseIpAddress(address->ToString());
    FUZZ_CHECK(again.has_value());
    FUZZ_CHECK(again->bytes == address->bytes);
    FUZZ_CHECK(pictor::NonPublicReason(*again) == pictor::NonPublicReason(*address));
  }
  return 0;
}
