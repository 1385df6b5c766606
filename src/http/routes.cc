#include "http/routes.h"

#include <algorithm>
#include <stdexcept>

#include "http/labels.h"

namespace pictor::http {
namespace {

constexpr std::string_view kRestSuffix = "...";

// "{name}" or "{name...}": the name, and whether it takes the rest of the path.
struct Param {
  std::string_view name;
  bool rest = false;
};

bool IsParam(std::string_view segment, Param* param) {
  if (segment.size() < 3 || segment.front() != '{' || segment.back() != '}') return false;
  std::string_view name = segment.substr(1, segment.size() - 2);
  bool rest = name.size() > kRestSuffix.size() &&
              name.substr(name.size() - kRestSuffix.size()) == kRestSuffix;
  if (rest) name.remove_suffix(kRestSuffix.size());
  *param = Param{name, rest};
  return true;
}

// Whether `path` matches `pattern` (validated by the constructor); the captures are appended to
// `params` when it is not null, and only when the path matches.
bool Matches(std::string_view pattern, std::string_view path,
             std::vector<std::pair<std::string_view, std::string_view>>* params) {
  if (path.empty() || path.front() != '/') return false;
  const size_t captured = params != nullptr ? params->size() : 0;
  auto fail = [&] {
    if (params != nullptr) params->resize(captured);
    return false;
  };
  pattern.remove_prefix(1);
  path.remove_prefix(1);
  for (;;) {
    const size_t pattern_end = pattern.find('/');
    const std::string_view want = pattern.substr(0, pattern_end);
    Param param;
    if (IsParam(want, &param) && param.rest) {
      if (path.empty()) return fail();
      if (params != nullptr) params->emplace_back(param.name, path);
      return true;
    }
    const size_t path_end = path.find('/');
    const std::string_view segment = path.substr(0, path_end);
    if (IsParam(want, &param)) {
      if (segment.empty()) return fail();
      if (params != nullptr) params->emplace_back(param.name, segment);
    } else if (want != segment) {
      return fail();
    }
    if (pattern_end == std::string_view::npos || path_end == std::string_view::npos) {
      return pattern_end == path_end ? true : fail();
    }
    pattern.remove_prefix(pattern_end + 1);
    path.remove_prefix(path_end + 1);
  }
}

// An HTTP method is a token (RFC 9110 5.6.2); it appears in Allow and in refusal bodies.
bool IsToken(std::string_view method) {
  static constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
  return !method.empty() && std::all_of(method.begin(), method.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           kSymbols.find(c) != std::string_view::npos;
  });
}

void CheckPattern(std::string_view pattern) {
  auto fail = [&](const char* why) {
    throw std::invalid_argument("route pattern \"" + std::string(pattern) + "\": " + why);
  };
  if (pattern.empty() || pattern.front() != '/') fail("must start with '/'");
  std::string_view rest = pattern.substr(1);
  for (;;) {
    const size_t end = rest.find('/');
    const std::string_view segment = rest.substr(0, end);
    Param param;
    if (IsParam(segment, &param)) {
      if (param.name.empty() || param.name.find_first_of("{}") != std::string_view::npos) {
        fail("a parameter is {name} or {name...}");
      }
      if (param.rest && end != std::string_view::npos) fail("{name...} must be the last segment");
    } else if (segment.find_first_of("{}") != std::string_view::npos) {
      fail("a parameter must be a whole segment");
    }
    if (end == std::string_view::npos) return;
    rest.remove_prefix(end + 1);
  }
}

HttpResponse JsonRefusal(int status, std::string_view message, std::string_view error) {
  HttpResponse r;
  r.status = status;
  r.headers.Set("Content-Type", "application/json");
  r.body =
      "{\"message\": \"" + std::string(message) + "\", \"error\": \"" + std::string(error) + "\"}";
  return r;
}

}  // namespace

std::string_view PathParams::Get(std::string_view name) const {
  for (const auto& [key, value] : values_) {
    if (key == name) return value;
  }
  return {};
}

RouteTable::RouteTable(std::vector<Route> routes, Refusals refusals)
    : routes_(std::move(routes)), refusals_(std::move(refusals)) {
  for (size_t i = 0; i < routes_.size(); ++i) {
    Route& route = routes_[i];
    CheckPattern(route.pattern);
    if (!IsToken(route.method)) {
      throw std::invalid_argument("route " + route.pattern + ": the method must be an HTTP token");
    }
    if (!route.handler) throw std::invalid_argument("route " + route.pattern + ": no handler");
    if (route.label.empty()) route.label = route.pattern;
    for (size_t j = 0; j < i; ++j) {
      const Route& earlier = routes_[j];
      if (earlier.pattern != route.pattern) continue;
      if (earlier.method == route.method) {
        throw std::invalid_argument("route " + route.method + " " + route.pattern + " twice");
      }
      if (earlier.label != route.label) {
        throw std::invalid_argument("routes of " + route.pattern + " with different labels");
      }
    }
  }
  if (!refusals_.not_found) {
    refusals_.not_found = [](const HttpRequest&) {
      return JsonRefusal(404, "no such route", "not_found");
    };
  }
  if (!refusals_.method_not_allowed) {
    refusals_.method_not_allowed = [](const HttpRequest&, std::string_view allow) {
      return JsonRefusal(405, "method not allowed; allowed: " + std::string(allow),
                         "method_not_allowed");
    };
  }
}

const Route* RouteTable::Find(std::string_view method, std::string_view path,
                              PathParams* params) const {
  auto* captures = params != nullptr ? &params->values_ : nullptr;
  for (const Route& route : routes_) {
    if (route.method == method && Matches(route.pattern, path, captures)) return &route;
  }
  if (method != "HEAD") return nullptr;
  // HEAD is GET without the body (the server drops it), for every GET route.
  for (const Route& route : routes_) {
    if (route.method == "GET" && Matches(route.pattern, path, captures)) return &route;
  }
  return nullptr;
}

bool RouteTable::MayBlock(const HttpRequest& request) const noexcept {
  const Route* route = Find(request.method, request.path, nullptr);
  return route != nullptr && route->may_block;
}

Routed RouteTable::Dispatch(const HttpRequest& request) const {
  PathParams params;
  if (const Route* route = Find(request.method, request.path, &params)) {
    return Routed{route->handler(request, params), route->label, route};
  }
  for (const Route& route : routes_) {
    if (!Matches(route.pattern, request.path, nullptr)) continue;
    std::string allow = AllowedMethods(request.path);
    HttpResponse response = refusals_.method_not_allowed(request, allow);
    response.headers.Set("Allow", std::move(allow));
    return Routed{std::move(response), route.label, nullptr};
  }
  return Routed{refusals_.not_found(request), kUnmatchedRoute, nullptr};
}

const Route* RouteTable::RouteFor(const HttpRequest& request) const noexcept {
  return Find(request.method, request.path, nullptr);
}

std::string_view RouteTable::LabelFor(const HttpRequest& request) const noexcept {
  if (const Route* route = Find(request.method, request.path, nullptr)) return route->label;
  for (const Route& route : routes_) {
    if (Matches(route.pattern, request.path, nullptr)) return route.label;
  }
  return kUnmatchedRoute;
}

std::vector<std::string_view> RouteTable::Labels() const {
  std::vector<std::string_view> labels;
  for (const Route& route : routes_) {
    if (std::find(labels.begin(), labels.end(), route.label) == labels.end()) {
      labels.push_back(route.label);
    }
  }
  labels.push_back(kUnmatchedRoute);
  return labels;
}

std::string RouteTable::AllowedMethods(std::string_view path) const {
  std::vector<std::string_view> methods;
  auto add = [&methods](std::string_view method) {
    if (std::find(methods.begin(), methods.end(), method) == methods.end()) {
      methods.push_back(method);
    }
  };
  for (const Route& route : routes_) {
    if (!Matches(route.pattern, path, nullptr)) continue;
    add(route.method);
    if (route.method == "GET") add("HEAD");
  }
  std::string allow;
  for (std::string_view method : methods) {
    if (!allow.empty()) allow += ", ";
    allow += method;
  }
  return allow;
}

}  // namespace pictor::http
