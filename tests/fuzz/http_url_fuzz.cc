// URLs as the HTTP client takes them (src/net/http_url): ParseHttpUrl, ParseAuthority and the
// redaction of URLs that did not parse. The input is the URL (and the authority).
// Invariants: a parsed URL has a lower-case host and a port; its authority is what
// FormatAuthority writes; its origin plus target parses to the same URL; a URL for messages
// holds no query, fragment or user information; an authority read, written and read again
// is the same.
#include <cctype>
#include <string>

#include "fuzz_check.h"
#include "net/http_url.h"

namespace net = pictor::net;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = pictor::fuzz::AsText(data, size);

  pictor::Result<net::HttpUrl> url = net::ParseHttpUrl(text);
  if (url.ok()) {
    FUZZ_CHECK(!url->host.empty() && url->port != 0);
    for (unsigned char c : url->host) FUZZ_CHECK(!std::isupper(c));
    FUZZ_CHECK(!url->target.empty() && url->target.find('#') == std::string::npos);
    FUZZ_CHECK(url->authority == net::FormatAuthority(url->host, url->port, url->tls ? 443 : 80));
    pictor::Result<net::HttpUrl> again = net::ParseHttpUrl(url->Origin() + url->target);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again->tls == url->tls && again->host == url->host && again->port == url->port &&
               again->target == url->target && again->authority == url->authority);
    const std::string shown = url->ForMessages();
    FUZZ_CHECK(shown.find('?') == std::string::npos && shown.find('#') == std::string::npos);
  } else {
    FUZZ_CHECK(url.status().code() == pictor::StatusCode::kInvalidArgument);
    const std::string shown = net::UnparsedUrlForMessages(text);
    FUZZ_CHECK(shown.find('?') == std::string::npos && shown.find('#') == std::string::npos);
    // User information never shows: the authority of what is shown holds no '@'.
    const size_t scheme = shown.find("://");
    const size_t start = scheme == std::string::npos ? 0 : scheme + 3;
    const std::string authority = shown.substr(start, shown.find('/', start) - start);
    FUZZ_CHECK(authority.find('@') == std::string::npos);
  }

  std::string host;
  uint16_t port = 0;
  if (net::ParseAuthority(text, host, port).ok()) {
    std::string host2;
    uint16_t port2 = 0;
    // Port 0 means none; FormatAuthority leaves out a port equal to its default.
    const uint16_t shown_default = port == 0 ? 1 : 0;
    const std::string written = net::FormatAuthority(host, port == 0 ? 1 : port, shown_default);
    FUZZ_CHECK(net::ParseAuthority(written, host2, port2).ok());
    FUZZ_CHECK(host2 == host && port2 == port);
  }
  return 0;
}
