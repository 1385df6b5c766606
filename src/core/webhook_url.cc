#include "core/webhook_url.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>

#include "core/ascii.h"

namespace pictor {
namespace {

Status Invalid(const std::string& why) {
  return Status::InvalidArgument("webhook_url " + why, "invalid_webhook_url");
}

bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && EqualsIgnoreCase(text.substr(0, prefix.size()), prefix);
}

bool IsHostNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

// Labels separated by single dots, none empty.
bool IsHostName(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  if (!std::all_of(host.begin(), host.end(), IsHostNameChar)) return false;
  return host.front() != '.' && host.back() != '.' && host.find("..") == std::string_view::npos;
}

std::optional<std::string> V4Reason(uint8_t a, uint8_t b, uint8_t c) {
  if (a == 0) return "an address of 'this network' (0.0.0.0/8)";
  if (a == 10) return "a private address (10.0.0.0/8)";
  if (a == 100 && (b & 0xC0) == 64) return "a shared (CGNAT) address (100.64.0.0/10)";
  if (a == 127) return "a loopback address (127.0.0.0/8)";
  if (a == 169 && b == 254)
    return "a link-local address (169.254.0.0/16, the cloud metadata service's)";
  if (a == 172 && (b & 0xF0) == 16) return "a private address (172.16.0.0/12)";
  if (a == 192 && b == 0 && c == 0) return "an IETF protocol address (192.0.0.0/24)";
  if (a == 192 && b == 168) return "a private address (192.168.0.0/16)";
  if (a == 198 && (b & 0xFE) == 18) return "a benchmarking address (198.18.0.0/15)";
  if (a >= 224 && a < 240) return "a multicast address (224.0.0.0/4)";
  if (a >= 240) return "a reserved address (240.0.0.0/4)";
  return std::nullopt;
}

}  // namespace

std::string WebhookUrl::Origin() const {
  const bool v6 = host.find(':') != std::string::npos;
  // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) about `":" + to_string(port)`.
  std::string origin = tls ? "https://" : "http://";
  if (v6) origin += '[';
  origin += host;
  if (v6) origin += ']';
  if (port != (tls ? 443 : 80)) {
    origin += ':';
    origin += std::to_string(port);
  }
  return origin;
}

Result<WebhookUrl> ParseWebhookUrl(std::string_view text) {
  if (text.size() > kMaxWebhookUrlBytes) {
    return Invalid("is " + std::to_string(text.size()) + " bytes long; at most " +
                   std::to_string(kMaxWebhookUrlBytes) + " are accepted");
  }
  for (char c : text) {
    if (c <= ' ' || c >= 0x7F) {
      return Invalid("may hold only visible ASCII characters (percent-encode the others)");
    }
  }
  WebhookUrl url;
  std::string_view rest;
  if (StartsWithIgnoreCase(text, "https://")) {
    url.tls = true;
    rest = text.substr(8);
  } else if (StartsWithIgnoreCase(text, "http://")) {
    rest = text.substr(7);
  } else {
    return Invalid("must start with https:// or http://");
  }
  const size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view tail =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    return Invalid("may not carry credentials (user:password@); put a token in the path or query");
  }
  std::string_view host;
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return Invalid("has an unclosed '[' in its host");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Invalid("has characters after its IPv6 address");
      has_port = true;
      port_text = after.substr(1);
    }
    if (host.find('%') != std::string_view::npos) return Invalid("may not name an IPv6 zone");
    std::string host_text(host);
    in6_addr v6{};
    if (::inet_pton(AF_INET6, host_text.c_str(), &v6) != 1) {
      return Invalid("has an invalid IPv6 address");
    }
    url.host = AsciiLower(host);
  } else {
    const size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = authority.substr(colon + 1);
    }
    std::string lower = AsciiLower(host);
    if (!lower.empty() && lower.back() == '.') lower.pop_back();
    if (lower.empty()) return Invalid("has no host");
    if (!IsHostName(lower)) {
      return Invalid("has a host that is neither a name nor an address");
    }
    url.host = std::move(lower);
  }
  url.port = url.tls ? 443 : 80;
  if (has_port) {
    if (port_text.empty() || port_text.size() > 5 ||
        !std::all_of(port_text.begin(), port_text.end(),
                     [](char c) { return c >= '0' && c <= '9'; })) {
      return Invalid("has an invalid port");
    }
    const long port = std::stol(std::string(port_text));
    if (port < 1 || port > 65535) return Invalid("has a port outside 1..65535");
    url.port = static_cast<uint16_t>(port);
  }
  tail = tail.substr(0, tail.find('#'));
  url.target =
      tail.empty() ? "/" : (tail.front() == '?' ? "/" + std::string(tail) : std::string(tail));
  return url;
}

std::string IpAddress::ToString() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (v4) {
    ::inet_ntop(AF_INET, bytes.data() + 12, text, sizeof text);
  } else {
    ::inet_ntop(AF_INET6, bytes.data(), text, sizeof text);
  }
  return text;
}

std::optional<IpAddress> ParseIpAddress(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  // inet_aton stops at a NUL and takes anything after a space; an address is only these.
  for (char c : text) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
                    c == 'x' || c == 'X' || c == '.' || c == ':';
    if (!ok) return std::nullopt;
  }
  const std::string s(text);
  IpAddress address;
  in6_addr v6{};
  if (s.find(':') != std::string::npos) {
    if (::inet_pton(AF_INET6, s.c_str(), &v6) != 1) return std::nullopt;
    std::memcpy(address.bytes.data(), &v6, 16);
    return address;
  }
  in_addr v4{};
  if (::inet_aton(s.c_str(), &v4) == 0) return std::nullopt;
  address.v4 = true;
  address.bytes[10] = address.bytes[11] = 0xFF;
  std::memcpy(address.bytes.data() + 12, &v4, 4);
  return address;
}

std::optional<std::string> NonPublicReason(const IpAddress& address) {
  const auto& b = address.bytes;
  auto zeros = [&](size_t from, size_t to) {
    return std::all_of(b.begin() + static_cast<long>(from), b.begin() + static_cast<long>(to),
                       [](uint8_t x) { return x == 0; });
  };
  auto embedded = [&](size_t at, const char* form) -> std::optional<std::string> {
    auto reason = V4Reason(b[at], b[at + 1], b[at + 2]);
    if (reason && form != nullptr) return *reason + " in " + form + " form";
    return reason;
  };
  // IPv4, and IPv4-mapped IPv6 (::ffff:a.b.c.d), which reaches the IPv4 address.
  if (zeros(0, 10) && b[10] == 0xFF && b[11] == 0xFF) {
    return embedded(12, address.v4 ? nullptr : "IPv4-mapped IPv6");
  }
  if (zeros(0, 12)) {
    if (zeros(12, 15) && b[15] <= 1) {
      return b[15] == 0 ? "the unspecified address (::)" : "the loopback address (::1)";
    }
    return "an IPv4-compatible IPv6 address (::/96, deprecated)";
  }
  // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) reach the IPv4 address they carry.
  if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && zeros(4, 12)) {
    return embedded(12, "NAT64");
  }
  if (b[0] == 0x20 && b[1] == 0x02) return embedded(2, "6to4");
  if ((b[0] & 0xFE) == 0xFC) return "a unique local, private address (fc00::/7)";
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) return "a link-local address (fe80::/10)";
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0xC0) return "a site-local address (fec0::/10)";
  if (b[0] == 0xFF) return "a multicast address (ff00::/8)";
  return std::nullopt;
}

bool IsLocalhostName(std::string_view host) {
  return host == "localhost" || (host.size() > 10 && host.substr(host.size() - 10) == ".localhost");
}

Result<WebhookUrl> CheckClientWebhookUrl(std::string_view text, bool allow_private) {
  auto url = ParseWebhookUrl(text);
  if (!url.ok() || allow_private) return url;
  std::string reason;
  if (IsLocalhostName(url->host)) {
    reason = "this machine's own name";
  } else if (auto address = ParseIpAddress(url->host)) {
    if (auto why = NonPublicReason(*address)) reason = *why;
  }
  if (reason.empty()) return url;
  return Status::InvalidArgument(
      "webhook_url may not point to " + url->host + ", " + reason +
          ": webhooks reach public addresses only, unless the server runs with "
          "--allow-private-webhooks",
      "webhook_url_not_allowed");
}

}  // namespace pictor
