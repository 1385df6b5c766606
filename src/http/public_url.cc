#include "http/public_url.h"

#include <arpa/inet.h>

#include <cctype>

namespace pictor::http {
namespace {

constexpr size_t kMaxHostName = 253;
constexpr size_t kMaxLabel = 63;

bool IsDnsName(std::string_view name) {
  if (name.empty() || name.size() > kMaxHostName) return false;
  if (name.back() == '.') name.remove_suffix(1);  // a fully qualified name
  size_t label = 0;
  for (char c : name) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
    if (++label > kMaxLabel) return false;
  }
  return label > 0;
}

bool IsPort(std::string_view port) {
  if (port.empty() || port.size() > 5) return false;
  unsigned value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value >= 1 && value <= 65535;
}

}  // namespace

bool IsValidHostAndPort(std::string_view host) {
  std::string_view name = host;
  std::string_view port;
  bool has_port = false;
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    if (close == std::string_view::npos) return false;
    std::string literal(host.substr(1, close - 1));
    in6_addr address{};
    if (literal.empty() || inet_pton(AF_INET6, literal.c_str(), &address) != 1) return false;
    std::string_view rest = host.substr(close + 1);
    if (rest.empty()) return true;
    if (rest.front() != ':') return false;
    return IsPort(rest.substr(1));
  }
  if (size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    name = host.substr(0, colon);
    port = host.substr(colon + 1);
    has_port = true;
  }
  return IsDnsName(name) && (!has_port || IsPort(port));
}

Result<std::string> ParsePublicUrl(std::string_view url) {
  const std::string shown(url.substr(0, 200));
  std::string_view rest;
  if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else if (url.rfind("https://", 0) == 0) {
    rest = url.substr(8);
  } else {
    return Status::InvalidArgument("--public-url '" + shown +
                                   "' must be an absolute http:// or https:// URL");
  }
  if (url.find_first_of("?#") != std::string_view::npos) {
    return Status::InvalidArgument("--public-url '" + shown +
                                   "' must not have a query or a fragment");
  }
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7F ||
        c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' || c == '`' || c == '{' ||
        c == '|' || c == '}') {
      return Status::InvalidArgument("--public-url '" + shown +
                                     "' has a character a URL cannot carry unescaped");
    }
  }
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    return Status::InvalidArgument("--public-url '" + shown + "' must not carry user info");
  }
  if (!IsValidHostAndPort(authority)) {
    return Status::InvalidArgument("--public-url '" + shown +
                                   "' needs a valid host[:port] (a name, IPv4 or [IPv6])");
  }
  std::string base(url.substr(0, url.size() - path.size()));
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return base + std::string(path);
}

std::string UrlBase(std::string_view public_url, const std::string_view* host, bool tls) {
  if (!public_url.empty()) return std::string(public_url);
  if (host != nullptr && IsValidHostAndPort(*host)) {
    return (tls ? "https://" : "http://") + std::string(*host);
  }
  return {};
}

}  // namespace pictor::http
