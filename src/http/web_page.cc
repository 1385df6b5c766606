#include "http/web_page.h"

#include <string>
#include <utility>

#include "core/ascii.h"
#include "core/hash.h"
#include "http/entity_tag.h"
#include "http/web_assets.h"

namespace pictor::http {
namespace {

std::string_view ContentTypeOf(std::string_view path) {
  auto ends = [&](std::string_view suffix) { return path.ends_with(suffix); };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".json")) return "application/json";
  if (ends(".png")) return "image/png";
  return "application/octet-stream";
}

// One file's answer. The response is built once; each request copies it.
RouteHandler AssetHandler(const WebAsset& asset) {
  HttpResponse full;
  full.status = 200;
  full.headers.Set("Content-Type", std::string(ContentTypeOf(asset.path)));
  const std::string etag = "\"" + StableHashHex(asset.bytes) + "\"";
  full.headers.Set("ETag", etag);
  full.headers.Set("Cache-Control", "no-cache");
  full.headers.Set("Content-Security-Policy", std::string(kPageContentSecurityPolicy));
  full.headers.Set("X-Frame-Options", "DENY");
  full.headers.Set("Referrer-Policy", "no-referrer");
  full.body = std::string(asset.bytes);
  return [full = std::move(full), etag](const HttpRequest& request, const PathParams&) {
    std::vector<std::string_view> if_none_match;
    for (const auto& [name, value] : request.headers.fields()) {
      if (EqualsIgnoreCase(name, "If-None-Match")) if_none_match.emplace_back(value);
    }
    if (IfNoneMatchHits(if_none_match, etag)) {
      HttpResponse not_modified;
      not_modified.status = 304;
      for (const char* name : {"ETag", "Cache-Control", "Content-Security-Policy"}) {
        if (auto value = full.headers.Get(name))
          not_modified.headers.Set(name, std::string(*value));
      }
      return not_modified;
    }
    return full;
  };
}

}  // namespace

std::vector<Route> WebPageRoutes() {
  std::vector<Route> routes;
  for (const WebAsset& asset : WebAssets()) {
    const std::string pattern = asset.path == "/index.html" ? "/" : std::string(asset.path);
    // One metrics label for the page and its files.
    routes.push_back(Route{"GET", pattern, AssetHandler(asset), false, "/"}.Open());
  }
  return routes;
}

}  // namespace pictor::http
