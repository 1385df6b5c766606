#include "http/metrics_service.h"

#include <string>

#include "http/labels.h"

namespace pictor::http {
namespace {

HttpResponse Text(int status, std::string content_type, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers.Set("Content-Type", std::move(content_type));
  r.body = std::move(body);
  return r;
}

}  // namespace

HttpResponse MetricsService::Handle(const HttpRequest& request) {
  const char* route = kUnmatchedRoute.data();
  HttpResponse response = Route(request, &route);
  metrics_
      .GetCounter("pictor_http_requests_total", "HTTP requests answered, by route and status.",
                  {{"route", route},
                   {"method", std::string(MethodLabel(request.method))},
                   {"status", std::to_string(response.status)}})
      .Increment();
  return response;
}

// Rendering reads the queue's attributes through the collectors: a remote call for SQS.
bool MetricsService::MayBlock(const HttpRequest& request) const {
  return request.path == "/metrics";
}

HttpResponse MetricsService::Route(const HttpRequest& request, const char** route) const {
  const bool get = request.method == "GET" || request.method == "HEAD";
  if (request.path != "/metrics" && request.path != "/healthz") {
    return Text(404, "application/json",
                R"({"error":"not_found","message":"only /metrics and /healthz are served here"})");
  }
  *route = request.path == "/metrics" ? "/metrics" : "/healthz";
  if (!get) {
    HttpResponse r = Text(405, "application/json",
                          R"({"error":"method_not_allowed","message":"use GET or HEAD"})");
    r.headers.Set("Allow", "GET, HEAD");
    return r;
  }
  if (request.path == "/healthz") return Text(200, "application/json", R"({"status":"ok"})");
  return Text(200, "text/plain; version=0.0.4; charset=utf-8", metrics_.RenderPrometheus());
}

}  // namespace pictor::http
