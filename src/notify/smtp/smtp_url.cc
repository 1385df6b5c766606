#include "notify/smtp/smtp_url.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <charconv>

namespace pictor::notify {
namespace {

// Host names as resolvers take them: letters, digits, '-', '.', and '_' (container and service
// names often carry one).
bool IsHostName(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool IsIpv6(const std::string& s) {
  in6_addr addr{};
  return inet_pton(AF_INET6, s.c_str(), &addr) == 1;
}

}  // namespace

Result<SmtpUrl> ParseSmtpUrl(std::string_view url) {
  SmtpUrl out;
  std::string_view rest;
  if (url.starts_with("smtp://")) {
    rest = url.substr(7);
  } else if (url.starts_with("smtps://")) {
    rest = url.substr(8);
    out.implicit_tls = true;
    out.port = 465;
  } else {
    return Status::InvalidArgument(
        "an SMTP notifier needs smtp://host[:port] or smtps://host[:port]");
  }
  // Checked on the whole rest, not only the authority: a password may hold a '/'.
  if (rest.find('@') != std::string_view::npos) {
    return Status::InvalidArgument(
        "an SMTP URL must not carry credentials; set PICTOR_SMTP_USER and PICTOR_SMTP_PASSWORD");
  }
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return Status::InvalidArgument(fmt::format("SMTP URL {} has a query or fragment", url));
  }
  if (slash != std::string_view::npos) {
    std::string_view path = rest.substr(slash + 1);
    if (!path.empty() && !IsHostName(path)) {
      return Status::InvalidArgument(
          fmt::format("SMTP URL {}: the path, if any, is the name given in EHLO", url));
    }
    out.helo_name = std::string(path);
  }

  std::string_view port_text;
  if (authority.starts_with('[')) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return Status::InvalidArgument(fmt::format("SMTP URL {}: unclosed '['", url));
    }
    out.host = std::string(authority.substr(1, close - 1));
    if (!IsIpv6(out.host)) {
      return Status::InvalidArgument(fmt::format("SMTP URL {}: bad IPv6 address", url));
    }
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':')
        return Status::InvalidArgument(fmt::format("SMTP URL {}: bad host", url));
      port_text = after.substr(1);
    }
  } else {
    const size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
    if (!IsHostName(out.host)) {
      return Status::InvalidArgument(fmt::format("SMTP URL {}: bad or missing host", url));
    }
  }
  if (!port_text.empty() || authority.ends_with(':')) {
    unsigned port = 0;
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      return Status::InvalidArgument(fmt::format("SMTP URL {}: bad port", url));
    }
    out.port = static_cast<uint16_t>(port);
  }
  return out;
}

}  // namespace pictor::notify
