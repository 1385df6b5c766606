#include "net/http_proxy.h"
#include "core/ascii.h"
#include "core/base64.h"
#include "core/percent_encoding.h"

#include <cstdlib>
#include <initializer_list>

namespace pictor::net {
namespace {

Result<HttpProxy> ParseProxy(std::string_view text) {
  std::string_view rest = text;
  if (size_t scheme_end = text.find("://"); scheme_end != std::string_view::npos) {
    if (AsciiLower(text.substr(0, scheme_end)) != "http") {
      return Status::InvalidArgument("only http:// proxies are supported");
    }
    rest = text.substr(scheme_end + 3);
  }
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  HttpProxy proxy;
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    proxy.authorization = "Basic " + Base64Encode(PercentDecodeLenient(authority.substr(0, at)));
    authority.remove_prefix(at + 1);
  }
  Status parsed = ParseAuthority(authority, proxy.host, proxy.port);
  if (!parsed.ok()) return Status::InvalidArgument("malformed proxy URL: " + parsed.message());
  if (proxy.port == 0) proxy.port = 1080;
  return proxy;
}

std::optional<Result<HttpProxy>> ReadProxy(std::string_view value) {
  value = AsciiTrim(value);
  if (value.empty()) return std::nullopt;
  return ParseProxy(value);
}

// The first of `names` set to a non-empty value, or "".
std::string_view GetEnv(std::initializer_list<const char*> names) {
  for (const char* name : names) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') return value;
  }
  return {};
}

}  // namespace

ProxySettings::ProxySettings(std::string_view http_proxy, std::string_view https_proxy,
                             std::string_view no_proxy)
    : http_(ReadProxy(http_proxy)), https_(ReadProxy(https_proxy)) {
  while (!no_proxy.empty()) {
    size_t comma = no_proxy.find(',');
    std::string entry = AsciiLower(AsciiTrim(no_proxy.substr(0, comma)));
    no_proxy = comma == std::string_view::npos ? std::string_view() : no_proxy.substr(comma + 1);
    if (entry == "*") no_proxy_all_ = true;
    if (entry.starts_with('.')) entry.erase(0, 1);
    if (entry.starts_with('[') && entry.ends_with(']')) entry = entry.substr(1, entry.size() - 2);
    if (!entry.empty()) no_proxy_.push_back(std::move(entry));
  }
}

ProxySettings ProxySettings::FromEnvironment() {
  return ProxySettings(GetEnv({"http_proxy", "HTTP_PROXY"}), GetEnv({"https_proxy", "HTTPS_PROXY"}),
                       GetEnv({"no_proxy", "NO_PROXY"}));
}

Result<const HttpProxy*> ProxySettings::For(const HttpUrl& url) const {
  const std::optional<Result<HttpProxy>>& setting = url.tls ? https_ : http_;
  if (!setting || Bypass(url.host)) return static_cast<const HttpProxy*>(nullptr);
  if (!setting->ok()) {
    return Status::InvalidArgument(std::string(url.tls ? "https_proxy" : "http_proxy") + ": " +
                                   setting->status().message());
  }
  return &setting->value();
}

bool ProxySettings::Bypass(const std::string& host) const {
  if (no_proxy_all_ || host == "localhost" || host == "127.0.0.1" || host == "::1") return true;
  const bool address = IsIpAddress(host);
  for (const std::string& entry : no_proxy_) {
    if (host == entry) return true;
    if (!address && host.size() > entry.size() && host.ends_with(entry) &&
        host[host.size() - entry.size() - 1] == '.') {
      return true;
    }
  }
  return false;
}

}  // namespace pictor::net
