#include "http/metrics_service.h"

#include <string>
#include <utility>

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

Refusals MetricsRefusals() {
  Refusals refusals;
  refusals.not_found = [](const HttpRequest&) {
    return Text(404, "application/json",
                R"({"error":"not_found","message":"only /metrics and /healthz are served here"})");
  };
  refusals.method_not_allowed = [](const HttpRequest&, std::string_view) {
    return Text(405, "application/json",
                R"({"error":"method_not_allowed","message":"use GET or HEAD"})");
  };
  return refusals;
}

}  // namespace

Route HealthzRoute() {
  return Route{"GET", "/healthz",
               [](const HttpRequest&, const PathParams&) {
                 return Text(200, "application/json", R"({"status":"ok"})");
               }}
      .Open();
}

Route MetricsRoute(MetricsRegistry& metrics, bool may_block) {
  return Route{"GET", "/metrics",
               [&metrics](const HttpRequest&, const PathParams&) {
                 return Text(200, "text/plain; version=0.0.4; charset=utf-8",
                             metrics.RenderPrometheus());
               },
               may_block};
}

void CountRequest(MetricsRegistry& metrics, const HttpRequest& request, const Routed& routed) {
  metrics
      .GetCounter("pictor_http_requests_total", "HTTP requests answered, by route and status.",
                  {{"route", std::string(routed.label)},
                   {"method", std::string(MethodLabel(request.method))},
                   {"status", std::to_string(routed.response.status)}})
      .Increment();
}

// The worker's collectors read its queue's attributes: a remote call for SQS, so /metrics may
// block.
MetricsService::MetricsService(MetricsRegistry& metrics)
    : metrics_(metrics),
      routes_({MetricsRoute(metrics, /*may_block=*/true), HealthzRoute()}, MetricsRefusals()) {}

HttpResponse MetricsService::Handle(const HttpRequest& request) {
  Routed routed = routes_.Dispatch(request);
  CountRequest(metrics_, request, routed);
  return std::move(routed.response);
}

}  // namespace pictor::http
