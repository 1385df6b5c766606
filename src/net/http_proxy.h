// Which proxy, if any, the HTTP client goes through for a URL: curl's environment variables,
// limited to http:// proxies.
//
//   http_proxy / HTTP_PROXY     for http URLs: requests in absolute form
//   https_proxy / HTTPS_PROXY   for https URLs: a CONNECT tunnel, then TLS inside it
//   no_proxy / NO_PROXY         comma-separated hosts reached directly: a name matches itself and
//                               its subdomains (a leading dot changes nothing), an address only
//                               itself; "*" matches every host
//
// A proxy URL is "[http://][user:password@]host[:port]" (port 1080 by default); its user
// information, percent-decoded, becomes Basic Proxy-Authorization. The lower-case variable wins.
// 127.0.0.1, ::1 and localhost are never proxied.
#ifndef PICTOR_NET_HTTP_PROXY_H_
#define PICTOR_NET_HTTP_PROXY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/http_url.h"
#include "pictor/status.h"

namespace pictor::net {

struct HttpProxy {
  std::string host;  // lower case; an IPv6 address without brackets
  uint16_t port = 0;
  std::string authorization;  // a Proxy-Authorization value, or "" for none
};

// Immutable once made; safe to share between threads.
class ProxySettings {
 public:
  ProxySettings() = default;  // no proxy at all
  // From the three settings' values; "" leaves a setting out.
  ProxySettings(std::string_view http_proxy, std::string_view https_proxy,
                std::string_view no_proxy);
  static ProxySettings FromEnvironment();

  // The proxy for `url`, or nullptr to connect directly. InvalidArgument when the proxy setting
  // that applies cannot be used (not http://, malformed); the message names the variable, not
  // its value.
  Result<const HttpProxy*> For(const HttpUrl& url) const;

 private:
  bool Bypass(const std::string& host) const;

  std::optional<Result<HttpProxy>> http_;
  std::optional<Result<HttpProxy>> https_;
  std::vector<std::string> no_proxy_;  // lower case, no leading dot, IPv6 without brackets
  bool no_proxy_all_ = false;
};

}  // namespace pictor::net

#endif  // PICTOR_NET_HTTP_PROXY_H_
