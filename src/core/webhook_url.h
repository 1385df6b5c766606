// Where a job's webhook may point: the URL rules POST /jobs checks (`webhook_url`) and the
// address rule the deliverer checks again on every address a host name resolves to, so that a
// client cannot make Pictor reach loopback, link-local (the cloud metadata address
// 169.254.169.254), private or otherwise internal addresses (server-side request forgery).
//
// Pure functions, thread-safe, no I/O (a host name is never resolved here).
#ifndef PICTOR_CORE_WEBHOOK_URL_H_
#define PICTOR_CORE_WEBHOOK_URL_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pictor/status.h"

namespace pictor {

// The longest webhook URL accepted, in bytes.
inline constexpr size_t kMaxWebhookUrlBytes = 2048;

// A webhook URL taken apart. `host` is lower-case, without IPv6 brackets or a trailing dot.
struct WebhookUrl {
  bool tls = false;  // https
  std::string host;
  uint16_t port = 0;   // explicit or the scheme's default
  std::string target;  // path and query as written, "/" when empty; never the fragment

  // "https://host[:port]": what messages and GET /jobs/{id} may show. The path and query may hold
  // a token and are never shown.
  std::string Origin() const;
};

// Parses "http[s]://host[:port][/path][?query][#fragment]". InvalidArgument (reason
// "invalid_webhook_url") with a message saying why: more than kMaxWebhookUrlBytes, another
// scheme, no host, credentials (user:password@), a port outside 1..65535, whitespace, control or
// non-ASCII characters, an IPv6 zone, a host that is neither a name nor an address.
Result<WebhookUrl> ParseWebhookUrl(std::string_view text);

// An IP address as 16 bytes (an IPv4 address as its IPv4-mapped IPv6 form, ::ffff:a.b.c.d).
struct IpAddress {
  std::array<uint8_t, 16> bytes{};
  bool v4 = false;  // written as IPv4

  std::string ToString() const;
};

// Reads an address: IPv4 in any form the C library's inet_aton accepts (127.1, 0x7f000001,
// 2130706433, which a resolver would read the same way), or IPv6 (without brackets or zone).
std::optional<IpAddress> ParseIpAddress(std::string_view text);

// Why webhooks may not reach `address` ("a loopback address (127.0.0.0/8)", "a private address
// (10.0.0.0/8) in IPv4-mapped IPv6 form", ...), or nullopt
// when it is a public unicast address. Refused: 0.0.0.0/8, 10/8, 100.64/10, 127/8, 169.254/16,
// 172.16/12, 192.0.0/24, 192.168/16, 198.18/15, 224/4, 240/4 (and 255.255.255.255); ::, ::1,
// fc00::/7, fe80::/10, fec0::/10, ff00::/8; and the IPv4 addresses embedded in IPv4-mapped
// (::ffff:0:0/96), IPv4-compatible (::/96), NAT64 (64:ff9b::/96) and 6to4 (2002::/16) forms.
std::optional<std::string> NonPublicReason(const IpAddress& address);

// Whether `host` (as ParseWebhookUrl leaves it) names this machine by its name alone:
// "localhost" and every name under ".localhost" (RFC 6761).
bool IsLocalhostName(std::string_view host);

// The check POST /jobs makes on a client's webhook_url: ParseWebhookUrl, then, unless
// `allow_private`, a host that is an address NonPublicReason refuses or a localhost name is
// InvalidArgument (reason "webhook_url_not_allowed") naming the rule. A host name is checked
// again, resolved, at delivery time.
Result<WebhookUrl> CheckClientWebhookUrl(std::string_view text, bool allow_private);

}  // namespace pictor

#endif  // PICTOR_CORE_WEBHOOK_URL_H_
