// The API's route table: every route, its methods (405 with Allow), where it runs (may_block)
// and the fixed set of metrics labels it records requests under.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "api_fixture.h"
#include "http/labels.h"

namespace pictor::http {
namespace {

using testing::ApiTest;

TEST_F(ApiTest, UnknownRouteIs404AndWrongMethodIs405WithAllow) {
  EXPECT_EQ(Call("GET", "/nope").status, 404);
  HttpResponse r = Call("PUT", "/generate-image");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(*r.headers.Get("Allow"), "POST");
  EXPECT_EQ(Call("PATCH", "/jobs/x").status, 405);
}

TEST_F(ApiTest, HealthReadinessAndMetrics) {
  EXPECT_EQ(Call("GET", "/healthz").status, 200);
  EXPECT_EQ(Call("GET", "/readyz").status, 200);
  Call("POST", "/generate-image", R"({"prompt":"x"})");
  HttpResponse m = Call("GET", "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(
      m.body.find(
          "pictor_http_requests_total{route=\"/generate-image\",method=\"POST\",status=\"200\"} 1"),
      std::string::npos)
      << m.body;
}

// Every label a client can influence comes from a fixed set: made-up methods and paths add no
// series, routes are labelled by their pattern.
TEST_F(ApiTest, MadeUpMethodsAndPathsLeaveTheSeriesBounded) {
  auto series = [this] {
    std::string page = metrics_.RenderPrometheus();
    size_t lines = 0;
    for (size_t at = page.find("\npictor_http_requests_total{"); at != std::string::npos;
         at = page.find("\npictor_http_requests_total{", at + 1)) {
      ++lines;
    }
    return std::make_pair(lines, page.size());
  };
  for (int i = 0; i < 20; ++i) {
    Call("BREW" + std::to_string(i), "/jobs");
    Call("get", "/no/such/" + std::to_string(i));
    Call("GET", "/jobs/id-" + std::to_string(i));
  }
  auto [before_series, before_size] = series();
  for (int i = 20; i < 1000; ++i) {
    Call("BREW" + std::to_string(i), "/jobs");
    Call("get", "/no/such/" + std::to_string(i));
    Call("GET", "/jobs/id-" + std::to_string(i));
  }
  auto [after_series, after_size] = series();
  EXPECT_EQ(after_series, before_series);
  EXPECT_LT(after_size, before_size + 200);  // counts grow by digits, not by series
  std::string page = metrics_.RenderPrometheus();
  EXPECT_NE(page.find(R"(route="/jobs",method="other",status="405"} 1000)"), std::string::npos)
      << page;
  EXPECT_NE(page.find(R"(route="unmatched",method="other",status="404"} 1000)"), std::string::npos)
      << page;
  EXPECT_NE(page.find(R"(route="/jobs/{id}",method="GET",status="404"} 1000)"), std::string::npos)
      << page;
  EXPECT_EQ(page.find("BREW"), std::string::npos);
  EXPECT_EQ(page.find("/no/such"), std::string::npos);
}

// Each path of the API, answered with a method it does not take: 405, and Allow naming exactly
// the methods of that path, HEAD wherever GET is.
TEST_F(ApiTest, EveryPathRefusesOtherMethodsWith405AndItsOwnAllow) {
  const std::map<std::string, std::string> allow = {
      {"/generate-image", "POST"},        {"/jobs", "POST, GET, HEAD"},
      {"/jobs/abc", "GET, HEAD, DELETE"}, {"/images/a/b.png", "GET, HEAD"},
      {"/healthz", "GET, HEAD"},          {"/readyz", "GET, HEAD"},
      {"/metrics", "GET, HEAD"}};
  for (const auto& [path, methods] : allow) {
    for (const char* method : {"PUT", "DELETE", "PATCH", "BREW"}) {
      if (methods.find(method) != std::string::npos) continue;  // served (DELETE /jobs/{id})
      HttpResponse r = Call(method, path);
      EXPECT_EQ(r.status, 405) << method << " " << path;
      EXPECT_EQ(r.headers.Get("Allow").value_or(""), methods) << method << " " << path;
      EXPECT_EQ(Body(r)["error"], "method_not_allowed") << method << " " << path;
      EXPECT_EQ(Body(r)["message"], "method " + std::string(method) + " is not allowed on " + path +
                                        "; allowed: " + methods);
    }
    // ...and the method Allow names first is served (whatever it answers, it is not a refusal).
    std::string first = methods.substr(0, methods.find(','));
    EXPECT_NE(Call(first, path, "{}").status, 405) << first << " " << path;
  }
  EXPECT_EQ(Call("GET", "/generate-image").headers.Get("Allow").value_or(""), "POST");
  EXPECT_EQ(Call("HEAD", "/generate-image").headers.Get("Allow").value_or(""), "POST");
}

TEST_F(ApiTest, PathsOutsideTheTableAre404WithTheirMethodAndPath) {
  for (const char* path :
       {"/index.html", "/nope", "/jobs/", "/jobs/a/b", "/images/", "/healthz/", "/Jobs"}) {
    HttpResponse r = Call("GET", path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(Body(r)["error"], "not_found") << path;
    EXPECT_EQ(Body(r)["message"], "no route GET " + std::string(path));
    EXPECT_FALSE(r.headers.Get("Allow")) << path;
  }
}

// The route label of every request is one of a fixed set, known before any request: the
// table's labels and "unmatched".
TEST_F(ApiTest, RouteLabelsAreTheTablesFixedSet) {
  const std::vector<std::string_view> expected = {"/generate-image",
                                                  "/jobs",
                                                  "/jobs/{id}",
                                                  "/jobs/{id}/events",
                                                  "/images/{key}",
                                                  "/models",
                                                  "/",
                                                  "/healthz",
                                                  "/readyz",
                                                  "/metrics",
                                                  "/v1/images/generations",
                                                  "/v1/models",
                                                  "/v1/models/{id}",
                                                  kUnmatchedRoute};
  EXPECT_EQ(api_->routes().Labels(), expected);
  const std::set<std::string_view> known(expected.begin(), expected.end());
  for (const char* method : {"GET", "HEAD", "POST", "PUT", "BREW", "get"}) {
    for (const char* path :
         {"/generate-image", "/jobs", "/jobs/x", "/images/a/b", "/healthz", "/readyz", "/metrics",
          "/x", "/jobs/x/y", "/jobs/x/events", "/%00", "", "/v1/images/generations", "/v1/models",
          "/v1/models/a/b", "/v1", "/", "/app.js", "/models"}) {
      HttpRequest r;
      r.method = method;
      r.path = path;
      r.headers.Add("Host", "pictor.test");
      Routed routed = api_->Serve(r);
      EXPECT_TRUE(known.count(routed.label)) << method << " " << path << ": " << routed.label;
      EXPECT_EQ(routed.label, api_->routes().LabelFor(r)) << method << " " << path;
    }
  }
  // Only those labels reach the metrics page.
  std::string page = metrics_.RenderPrometheus();
  for (size_t at = page.find("route=\""); at != std::string::npos;
       at = page.find("route=\"", at + 1)) {
    size_t start = at + 7;
    std::string_view label(page.data() + start, page.find('"', start) - start);
    EXPECT_TRUE(known.count(label)) << label;
  }
}

TEST_F(ApiTest, OnlySlowRoutesAreMarkedBlocking) {
  auto may_block = [this](const char* method, const char* path) {
    HttpRequest r;
    r.method = method;
    r.path = path;
    return api_->routes().MayBlock(r);
  };
  EXPECT_TRUE(may_block("POST", "/generate-image"));
  EXPECT_TRUE(may_block("GET", "/images/a/b.png"));
  EXPECT_TRUE(may_block("HEAD", "/images/a/b.png"));
  EXPECT_TRUE(may_block("GET", "/readyz"));
  EXPECT_FALSE(may_block("GET", "/healthz"));
  EXPECT_FALSE(may_block("POST", "/jobs"));  // local SQLite queue and ledger
  EXPECT_FALSE(may_block("GET", "/jobs/abc"));
  EXPECT_FALSE(may_block("GET", "/metrics"));
  // Refusals are answered by the table itself, on the event loop.
  EXPECT_FALSE(may_block("GET", "/generate-image"));
  EXPECT_FALSE(may_block("GET", "/no/such/route"));
}

// With a remote queue or ledger, every route that calls them leaves the event loop: the job
// routes, and /metrics, whose queue gauges read the queue while the page renders.
TEST_F(ApiTest, RemoteJobBackendsMakeTheirRoutesBlocking) {
  ApiOptions options;
  options.local_job_backends = false;
  Api api(pipeline_, queue_.get(), ledger_.get(), metrics_, options);
  auto may_block = [&api](const char* method, const char* path) {
    HttpRequest r;
    r.method = method;
    r.path = path;
    return api.routes().MayBlock(r);
  };
  EXPECT_TRUE(may_block("POST", "/jobs"));
  EXPECT_TRUE(may_block("GET", "/jobs/abc"));
  EXPECT_TRUE(may_block("GET", "/metrics"));
  EXPECT_FALSE(may_block("GET", "/healthz"));
}

}  // namespace
}  // namespace pictor::http
