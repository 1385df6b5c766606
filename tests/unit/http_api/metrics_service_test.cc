// The metrics listener's service (`worker --metrics-listen`): its two routes, its refusals and
// its counters, all from its route table.
#include "http/metrics_service.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "http/labels.h"

namespace pictor::http {
namespace {

class MetricsServiceTest : public ::testing::Test {
 protected:
  HttpResponse Call(std::string method, std::string path) {
    HttpRequest r;
    r.method = std::move(method);
    r.path = std::move(path);
    return service_.Handle(r);
  }
  bool MayBlock(std::string method, std::string path) {
    HttpRequest r;
    r.method = std::move(method);
    r.path = std::move(path);
    return service_.routes().MayBlock(r);
  }

  MetricsRegistry metrics_;
  MetricsService service_{metrics_};
};

TEST_F(MetricsServiceTest, ServesMetricsAndHealthOnGetAndHead) {
  metrics_.GetCounter("pictor_test_total", "A counter.").Increment();
  for (const char* method : {"GET", "HEAD"}) {
    HttpResponse page = Call(method, "/metrics");
    EXPECT_EQ(page.status, 200);
    EXPECT_EQ(page.headers.Get("Content-Type").value_or(""),
              "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_NE(page.body.find("pictor_test_total 1"), std::string::npos) << page.body;
    HttpResponse health = Call(method, "/healthz");
    EXPECT_EQ(health.status, 200);
    EXPECT_EQ(health.headers.Get("Content-Type").value_or(""), "application/json");
    EXPECT_EQ(health.body, R"({"status":"ok"})");
  }
}

TEST_F(MetricsServiceTest, OtherPathsAre404AndOtherMethodsAre405WithAllow) {
  HttpResponse missing = Call("GET", "/jobs");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body,
            R"({"error":"not_found","message":"only /metrics and /healthz are served here"})");
  EXPECT_FALSE(missing.headers.Get("Allow"));
  for (const char* path : {"/metrics", "/healthz"}) {
    HttpResponse refused = Call("POST", path);
    EXPECT_EQ(refused.status, 405) << path;
    EXPECT_EQ(refused.headers.Get("Allow").value_or(""), "GET, HEAD") << path;
    EXPECT_EQ(refused.body, R"({"error":"method_not_allowed","message":"use GET or HEAD"})");
  }
}

// Rendering runs the collectors, which may ask a remote queue: /metrics leaves the event loop;
// /healthz and refusals do not.
TEST_F(MetricsServiceTest, OnlyTheMetricsPageMayBlock) {
  EXPECT_TRUE(MayBlock("GET", "/metrics"));
  EXPECT_TRUE(MayBlock("HEAD", "/metrics"));
  EXPECT_FALSE(MayBlock("GET", "/healthz"));
  EXPECT_FALSE(MayBlock("POST", "/metrics"));
  EXPECT_FALSE(MayBlock("GET", "/nope"));
}

TEST_F(MetricsServiceTest, CountsRequestsUnderTheTablesFixedLabels) {
  const std::vector<std::string_view> labels = {"/metrics", "/healthz", kUnmatchedRoute};
  EXPECT_EQ(service_.routes().Labels(), labels);
  Call("GET", "/healthz");
  Call("BREW", "/metrics");
  for (int i = 0; i < 50; ++i) Call("GET", "/made/up/" + std::to_string(i));
  std::string page = metrics_.RenderPrometheus();
  EXPECT_NE(page.find(R"(route="/healthz",method="GET",status="200"} 1)"), std::string::npos)
      << page;
  EXPECT_NE(page.find(R"(route="/metrics",method="other",status="405"} 1)"), std::string::npos)
      << page;
  EXPECT_NE(page.find(R"(route="unmatched",method="GET",status="404"} 50)"), std::string::npos)
      << page;
  EXPECT_EQ(page.find("/made/up"), std::string::npos) << page;
}

}  // namespace
}  // namespace pictor::http
