// Where the absolute URLs the API answers with (Location, status_url, url) point. A Host header
// is chosen by the client, so it is used only when it is a well-formed host[:port]; an operator
// behind a proxy or with a public name says so with --public-url instead.
#ifndef PICTOR_HTTP_PUBLIC_URL_H_
#define PICTOR_HTTP_PUBLIC_URL_H_

#include <string>
#include <string_view>

#include "pictor/status.h"

namespace pictor::http {

// Checks --public-url: an absolute http or https URL with a valid host[:port], an optional path,
// and no user info, query or fragment. Returns it without a trailing '/', ready for "/jobs/..."
// to be appended ("https://img.example.com/pictor"). InvalidArgument saying what is wrong.
Result<std::string> ParsePublicUrl(std::string_view url);

// True when `host` is a Host header value safe to build a URL from: a reg-name (DNS labels of
// letters, digits, '-' and '_', dot-separated, at most 253 characters), an IPv4 address or a
// bracketed IPv6 address, with an optional port 1-65535.
bool IsValidHostAndPort(std::string_view host);

// The base of the absolute URLs of a request: `public_url` when set, else "http://" + `host`
// ("https://" when the request came over TLS) when that is valid, else empty (the caller then
// answers with a relative path).
std::string UrlBase(std::string_view public_url, const std::string_view* host, bool tls = false);

}  // namespace pictor::http

#endif  // PICTOR_HTTP_PUBLIC_URL_H_
