// The page `pictor serve` answers GET / with: a single-page app of plain HTML, CSS and JavaScript
// (web/), compiled into the binary (http/web_assets.h), so it needs no network, CDN or file at
// run time.
//
// Its routes are open, like /healthz: the page loads without a key and asks for one; every API
// call it makes then carries the key. Each answer has its Content-Type, an ETag (a hash of the
// bytes; If-None-Match answers 304), Cache-Control: no-cache (revalidate, since the names do not
// change between versions) and a Content-Security-Policy that allows nothing but the page's own
// origin: no inline script or style, no other host, no framing.
#ifndef PICTOR_HTTP_WEB_PAGE_H_
#define PICTOR_HTTP_WEB_PAGE_H_

#include <string_view>
#include <vector>

#include "http/routes.h"

namespace pictor::http {

// The Content-Security-Policy every page answer carries.
inline constexpr std::string_view kPageContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; "
    "connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

// GET / (web/index.html) and GET /<file> for every other file of web/, all open.
std::vector<Route> WebPageRoutes();

}  // namespace pictor::http

#endif  // PICTOR_HTTP_WEB_PAGE_H_
