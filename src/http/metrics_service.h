// MetricsService: the smallest HttpService, for processes that serve no API (`pictor worker
// --metrics-listen`): GET /metrics renders a MetricsRegistry in the Prometheus text format and
// GET /healthz answers {"status":"ok"}; HEAD is answered like GET without a body by the server.
#ifndef PICTOR_HTTP_METRICS_SERVICE_H_
#define PICTOR_HTTP_METRICS_SERVICE_H_

#include "http/server.h"
#include "pictor/metrics.h"

namespace pictor::http {

// Borrows `metrics`, which must outlive the service. Thread-safe (the registry is). Counts its
// own requests in pictor_http_requests_total{route,status}, like the API does.
class MetricsService final : public HttpService {
 public:
  explicit MetricsService(MetricsRegistry& metrics) : metrics_(metrics) {}

  HttpResponse Handle(const HttpRequest& request) override;
  bool MayBlock(const HttpRequest& request) const override;

 private:
  HttpResponse Route(const HttpRequest& request, const char** route) const;

  MetricsRegistry& metrics_;
};

}  // namespace pictor::http

#endif  // PICTOR_HTTP_METRICS_SERVICE_H_
