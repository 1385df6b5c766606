// The route table: one list of {method, pattern, handler, may_block, label} that answers every
// question a server asks about a request's path, so no second function can disagree with it:
//
//   - which handler answers, with the path parameters its pattern captured;
//   - whether that handler may block (the server then runs it on its blocking pool);
//   - 404 for a path no pattern matches, 405 with an Allow header for a path matched only by
//     routes of other methods;
//   - the route label of the request's metrics, from a fixed set (the table's labels and
//     kUnmatchedRoute), never the raw path.
//
// Patterns are literal segments and parameters: "/jobs/{id}" captures one non-empty segment
// (no '/'); "/images/{key...}", only as the last segment, captures the non-empty rest of the
// path, slashes included. A GET route answers HEAD too (the server sends no body), unless the
// table has a HEAD route of its own for that pattern; Allow then lists "GET, HEAD".
#ifndef PICTOR_HTTP_ROUTES_H_
#define PICTOR_HTTP_ROUTES_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/http_message.h"

namespace pictor::http {

// The parameters a pattern captured from a path. The values view the request's path: valid for
// as long as the request the handler was given.
class PathParams {
 public:
  // The value captured by {name} or {name...}; empty when the pattern has no such parameter.
  std::string_view Get(std::string_view name) const;

 private:
  friend class RouteTable;
  std::vector<std::pair<std::string_view, std::string_view>> values_;
};

using RouteHandler = std::function<HttpResponse(const HttpRequest&, const PathParams&)>;

struct Route {
  // `label` empty: the pattern is the label.
  Route(std::string method, std::string pattern, RouteHandler handler, bool may_block = false,
        std::string label = {})
      : method(std::move(method)),
        pattern(std::move(pattern)),
        handler(std::move(handler)),
        may_block(may_block),
        label(std::move(label)) {}

  std::string method;   // exact and case-sensitive, as HTTP methods are: "GET", "POST", ...
  std::string pattern;  // "/jobs/{id}"
  RouteHandler handler;
  // True when the handler may take long (a model call, a remote store or queue): the server
  // runs it on its blocking pool so the event loop keeps answering everyone else.
  bool may_block = false;
  // The metrics route label; empty: the pattern. Routes of one pattern share one label.
  std::string label;
  // What an API key must hold to call the route (pictor::Scope bits; admin holds them all).
  // Admin unless the table says otherwise: a route whose scope was forgotten fails closed.
  uint32_t scopes = kScopeAdmin;
  // Answered without any key (/healthz, /readyz): load balancers probe without credentials.
  bool open = false;
  // Creates images (a model call, now or from the queue): the key's rate limit applies, and the
  // answer carries the RateLimit-* headers.
  bool creates_images = false;

  // Setters for the table's rows: {"GET", "/x", handler}.Needs(kScopeRead).
  Route& Needs(uint32_t s) & {
    scopes = s;
    return *this;
  }
  Route&& Needs(uint32_t s) && { return std::move(Needs(s)); }
  Route&& Open() && {
    open = true;
    return std::move(*this);
  }
  Route&& CreatesImages() && {
    creates_images = true;
    return std::move(*this);
  }
};

// How a table words the refusals it answers itself. The table sets the Allow header of a 405;
// the functions give status, content type and body.
struct Refusals {
  // 404 for a path no route matches. Default: a JSON body {"message", "error": "not_found"}.
  std::function<HttpResponse(const HttpRequest&)> not_found;
  // 405 for a path whose routes take other methods; `allow` is the Allow header's value.
  // Default: a JSON body {"message", "error": "method_not_allowed"} naming `allow`.
  std::function<HttpResponse(const HttpRequest&, std::string_view allow)> method_not_allowed;
};

// What Dispatch answered.
struct Routed {
  HttpResponse response;
  // The matched path's label, or kUnmatchedRoute (labels.h) for a 404. Views the table.
  std::string_view label;
  // The route whose handler answered; null when the table refused (404, 405).
  const Route* route = nullptr;
};

// Thread-safety: immutable after construction; Dispatch runs handlers concurrently when called
// from several threads, so handlers must be thread-safe.
class RouteTable {
 public:
  // Throws std::invalid_argument for a malformed table (a pattern not starting with '/', a
  // parameter that is not a whole segment, a {rest...} that is not last, an empty method, a
  // null handler, a method routed twice on one pattern, routes of one pattern with different
  // labels): tables are written in code and built at start-up, so this is a programming error.
  explicit RouteTable(std::vector<Route> routes, Refusals refusals = {});

  // The may_block of the route Dispatch would run; false for a refusal, which the table answers
  // itself without blocking.
  bool MayBlock(const HttpRequest& request) const noexcept;

  // Runs the route matching the request's method and path, or answers 404 / 405 itself. Routes
  // are tried in order; the first whose pattern and method match answers.
  Routed Dispatch(const HttpRequest& request) const;

  // The route Dispatch would run for `request`; null when the table would refuse it (404, 405).
  const Route* RouteFor(const HttpRequest& request) const noexcept;

  // The label Dispatch gives this request, without running anything: for logs about a request,
  // which must not carry the path a client chose.
  std::string_view LabelFor(const HttpRequest& request) const noexcept;

  // Every label Dispatch can give: each route's label once, in table order, then
  // kUnmatchedRoute.
  std::vector<std::string_view> Labels() const;

  // The Allow header's value for `path`: the methods of every route matching it, in table order,
  // HEAD after GET; empty when no route matches.
  std::string AllowedMethods(std::string_view path) const;

 private:
  // The route that answers `method` on `path`, if any; `params` (when not null) receives the
  // captures.
  const Route* Find(std::string_view method, std::string_view path, PathParams* params) const;

  std::vector<Route> routes_;
  Refusals refusals_;
};

}  // namespace pictor::http

#endif  // PICTOR_HTTP_ROUTES_H_
