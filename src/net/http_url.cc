#include "net/http_url.h"
#include "core/ascii.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace pictor::net {
namespace {

bool IsIpv6Address(const std::string& host) {
  unsigned char address[16];
  return ::inet_pton(AF_INET6, host.c_str(), address) == 1;
}

bool IsHostNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

// Digits only, 1 to 65535; "" is 0 (no port).
bool ParsePort(std::string_view text, uint16_t& port) {
  unsigned value = 0;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
    if (value > 65535) return false;
  }
  if (!text.empty() && value == 0) return false;
  port = static_cast<uint16_t>(value);
  return true;
}

}  // namespace

bool IsIpAddress(const std::string& host) {
  unsigned char address[16];
  return ::inet_pton(AF_INET, host.c_str(), address) == 1 || IsIpv6Address(host);
}

std::string HttpUrl::Origin() const {
  return (tls ? "https://" : "http://") + FormatAuthority(host, port);
}

std::string HttpUrl::ForMessages() const {
  return (tls ? "https://" : "http://") + authority + target.substr(0, target.find('?'));
}

Status ParseAuthority(std::string_view authority, std::string& host, uint16_t& port) {
  std::string_view port_text;
  if (authority.starts_with('[')) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return Status::InvalidArgument("unclosed [ in the host");
    host = std::string(authority.substr(1, close - 1));
    if (!IsIpv6Address(host)) return Status::InvalidArgument("bad IPv6 address");
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) return Status::InvalidArgument("bad port");
    if (!rest.empty()) port_text = rest.substr(1);
  } else {
    size_t colon = authority.find(':');
    host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
    if (host.empty()) return Status::InvalidArgument("no host");
    if (!std::all_of(host.begin(), host.end(), IsHostNameChar)) {
      return Status::InvalidArgument("bad host");
    }
  }
  if (!ParsePort(port_text, port)) return Status::InvalidArgument("bad port");
  host = AsciiLower(host);
  return Status::Ok();
}

// Built by appending: g++ 12 at -O3 warns falsely about "[" + std::string (GCC bug 105329).
std::string FormatAuthority(const std::string& host, uint16_t port, uint16_t default_port) {
  const bool literal_v6 = host.find(':') != std::string::npos;
  std::string out;
  if (literal_v6) out += '[';
  out += host;
  if (literal_v6) out += ']';
  if (default_port == 0 || port != default_port) {
    out += ':';
    out += std::to_string(port);
  }
  return out;
}

Result<HttpUrl> ParseHttpUrl(std::string_view text) {
  size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return Status::InvalidArgument("malformed URL");
  std::string scheme = AsciiLower(text.substr(0, scheme_end));
  HttpUrl url;
  if (scheme == "https") {
    url.tls = true;
  } else if (scheme != "http") {
    bool printable = !scheme.empty() && std::all_of(scheme.begin(), scheme.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
    });
    return Status::InvalidArgument(printable ? "unsupported URL scheme \"" + scheme + "\""
                                             : "malformed URL");
  }
  std::string_view rest = text.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find('#'));  // a fragment is never sent
  size_t authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  if (authority.find('@') != std::string_view::npos) {
    return Status::InvalidArgument("user information in URLs is not supported");
  }
  Status parsed = ParseAuthority(authority, url.host, url.port);
  if (!parsed.ok()) return Status::InvalidArgument("malformed URL: " + parsed.message());
  const uint16_t default_port = url.tls ? 443 : 80;
  if (url.port == 0) url.port = default_port;
  url.authority = FormatAuthority(url.host, url.port, default_port);
  std::string_view target =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  for (char c : target) {
    // The target goes into the request line as it is: a space would end it early.
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) {
      return Status::InvalidArgument("malformed URL: a space or control character in the path");
    }
  }
  if (!target.starts_with('/')) url.target.push_back('/');
  url.target += target;
  return url;
}

std::string UnparsedUrlForMessages(std::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  size_t authority = url.find("://");
  authority = authority == std::string_view::npos ? 0 : authority + 3;
  // The last '@' of the authority: a password may hold an unencoded '@' of its own.
  size_t at = url.substr(0, url.find('/', authority)).rfind('@');
  if (at != std::string_view::npos && at < authority) at = std::string_view::npos;
  if (at == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, authority)) + std::string(url.substr(at + 1));
}

}  // namespace pictor::net
