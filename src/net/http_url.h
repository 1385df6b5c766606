// URLs as the HTTP client takes them: http or https, a host (a name, an IPv4 address or an
// [IPv6] address), an optional port, and a target (path and query) sent exactly as written.
#ifndef PICTOR_NET_HTTP_URL_H_
#define PICTOR_NET_HTTP_URL_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "pictor/status.h"

namespace pictor::net {

struct HttpUrl {
  bool tls = false;       // https
  std::string host;       // lower case; an IPv6 address without brackets
  uint16_t port = 0;      // the scheme's default when the URL names none
  std::string authority;  // as a Host header writes it: the port only when not the default
  std::string target;     // path and query as written ("/" for an empty path), no fragment

  // Scheme, host and port: the server a connection to this URL talks to.
  std::string Origin() const;
  // Scheme, authority and path, without the query (it may carry a signature): for messages.
  std::string ForMessages() const;
};

// Parses `url`. InvalidArgument for a malformed URL, a scheme other than http and https, and
// user information ("user:password@"); the message says why without repeating the URL.
Result<HttpUrl> ParseHttpUrl(std::string_view url);

// `url`, which did not parse, as a message may show it: without query, fragment or user
// information.
std::string UnparsedUrlForMessages(std::string_view url);

// Parses "host[:port]" or "[v6][:port]" into a lower-case host (without brackets) and a port (0
// when there is none).
Status ParseAuthority(std::string_view authority, std::string& host, uint16_t& port);

// "host" or "[v6]", then ":port" unless `port` is `default_port` (0: always).
std::string FormatAuthority(const std::string& host, uint16_t port, uint16_t default_port = 0);

// True when `host` is an IPv4 or IPv6 address rather than a name.
bool IsIpAddress(const std::string& host);

}  // namespace pictor::net

#endif  // PICTOR_NET_HTTP_URL_H_
