// Metric label values taken from requests. A label value a client can choose is a new time
// series, so every such value is mapped onto a fixed set here before it reaches a registry:
// the methods HTTP defines for ordinary use, and route patterns, never raw paths.
#ifndef PICTOR_HTTP_LABELS_H_
#define PICTOR_HTTP_LABELS_H_

#include <string_view>

namespace pictor::http {

// "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH" or "OPTIONS" when `method` is exactly one of
// them (methods are case-sensitive), "other" for anything else.
std::string_view MethodLabel(std::string_view method);

// The route label of a request that matched no route (RouteTable's 404). Every other route
// label is a route table's own (RouteTable::Labels), never a path a client sent.
inline constexpr std::string_view kUnmatchedRoute = "unmatched";

}  // namespace pictor::http

#endif  // PICTOR_HTTP_LABELS_H_
