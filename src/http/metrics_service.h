// MetricsService: the smallest HttpService, for processes that serve no API (`pictor worker
// --metrics-listen`): GET /metrics renders a MetricsRegistry in the Prometheus text format and
// GET /healthz answers {"status":"ok"}; HEAD is answered like GET without a body by the server.
//
// The two routes and the request counter are the API's too (http/api.cc), so both listeners
// answer them and count requests alike.
#ifndef PICTOR_HTTP_METRICS_SERVICE_H_
#define PICTOR_HTTP_METRICS_SERVICE_H_

#include "http/routes.h"
#include "http/server.h"
#include "pictor/metrics.h"

namespace pictor::http {

// GET /healthz: 200 {"status":"ok"} whenever the process answers at all; open (no key).
Route HealthzRoute();

// GET /metrics: the registry's Prometheus page; needs the admin scope where keys are checked.
// Rendering runs the registry's collectors, which may call a peer (the SQS queue's attributes):
// `may_block` says whether they can.
Route MetricsRoute(MetricsRegistry& metrics, bool may_block);

// Counts one answered request in pictor_http_requests_total{route,method,status}, with labels
// from fixed sets only: the table's route label and MethodLabel.
void CountRequest(MetricsRegistry& metrics, const HttpRequest& request, const Routed& routed);

// Borrows `metrics`, which must outlive the service. Thread-safe (the registry is).
class MetricsService final : public HttpService {
 public:
  explicit MetricsService(MetricsRegistry& metrics);

  HttpResponse Handle(const HttpRequest& request) override;
  const RouteTable& routes() const override { return routes_; }

 private:
  MetricsRegistry& metrics_;
  const RouteTable routes_;
};

}  // namespace pictor::http

#endif  // PICTOR_HTTP_METRICS_SERVICE_H_
