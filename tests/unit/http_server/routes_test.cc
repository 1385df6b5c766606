// The route table alone: matching and path parameters, 404, 405 with Allow, HEAD after GET,
// may_block and the fixed set of labels.
#include "http/routes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "http/labels.h"

namespace pictor::http {
namespace {

// A handler answering "<name> <param>=<value>..." for the parameters it names.
RouteHandler Answer(std::string name, std::vector<std::string> params = {}) {
  return [name, params](const HttpRequest&, const PathParams& p) {
    std::string body = name;
    for (const auto& param : params) body += " " + param + "=" + std::string(p.Get(param));
    return HttpResponse{200, {}, body};
  };
}

HttpRequest Request(std::string method, std::string path) {
  HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  return r;
}

class RouteTableTest : public ::testing::Test {
 protected:
  RouteTable table_{{
      {"POST", "/jobs", Answer("submit"), true},
      {"GET", "/jobs/{id}", Answer("job", {"id"})},
      {"DELETE", "/jobs/{id}", Answer("cancel", {"id"}), true},
      {"GET", "/jobs/{id}/events", Answer("events", {"id"})},
      {"GET", "/images/{key...}", Answer("image", {"key"}), true, "/images/{key}"},
      {"GET", "/", Answer("page")},
  }};
};

TEST_F(RouteTableTest, RoutesByMethodAndPatternWithPathParameters) {
  EXPECT_EQ(table_.Dispatch(Request("POST", "/jobs")).response.body, "submit");
  EXPECT_EQ(table_.Dispatch(Request("GET", "/jobs/abc")).response.body, "job id=abc");
  EXPECT_EQ(table_.Dispatch(Request("DELETE", "/jobs/abc")).response.body, "cancel id=abc");
  EXPECT_EQ(table_.Dispatch(Request("GET", "/jobs/abc/events")).response.body, "events id=abc");
  EXPECT_EQ(table_.Dispatch(Request("GET", "/images/a/b/c.png")).response.body,
            "image key=a/b/c.png");
  EXPECT_EQ(table_.Dispatch(Request("GET", "/")).response.body, "page");
  Routed routed = table_.Dispatch(Request("GET", "/jobs/x"));
  ASSERT_NE(routed.route, nullptr);
  EXPECT_EQ(routed.route->pattern, "/jobs/{id}");
  EXPECT_EQ(routed.label, "/jobs/{id}");
}

TEST_F(RouteTableTest, ParametersNeverMatchAnEmptySegmentOrTheWrongDepth) {
  for (const char* path : {"/jobs/", "/jobs//events", "/jobs/a/b", "/jobs/a/events/x", "/images/",
                           "/jobsx", "/job", "", "*", "jobs", "/jobs/a/events/"}) {
    Routed routed = table_.Dispatch(Request("GET", path));
    EXPECT_EQ(routed.response.status, 404) << path;
    EXPECT_EQ(routed.route, nullptr) << path;
    EXPECT_EQ(routed.label, kUnmatchedRoute) << path;
  }
}

TEST_F(RouteTableTest, UnknownPathIs404WithTheDefaultJsonBody) {
  Routed routed = table_.Dispatch(Request("GET", "/nope"));
  EXPECT_EQ(routed.response.status, 404);
  EXPECT_EQ(routed.response.headers.Get("Content-Type").value_or(""), "application/json");
  EXPECT_EQ(routed.response.body, R"({"message": "no such route", "error": "not_found"})");
  EXPECT_FALSE(routed.response.headers.Get("Allow"));
}

// Every path answers another method with 405 and the methods the table has for that path.
TEST_F(RouteTableTest, WrongMethodIs405WithAllowListingThePathsMethods) {
  struct Case {
    const char* path;
    const char* allow;
  };
  for (const Case& c : {Case{"/jobs", "POST"}, Case{"/jobs/abc", "GET, HEAD, DELETE"},
                        Case{"/jobs/abc/events", "GET, HEAD"}, Case{"/images/k", "GET, HEAD"},
                        Case{"/", "GET, HEAD"}}) {
    Routed routed = table_.Dispatch(Request("PATCH", c.path));
    EXPECT_EQ(routed.response.status, 405) << c.path;
    EXPECT_EQ(routed.response.headers.Get("Allow").value_or(""), c.allow) << c.path;
    EXPECT_EQ(routed.route, nullptr) << c.path;
    EXPECT_EQ(table_.AllowedMethods(c.path), c.allow) << c.path;
  }
  EXPECT_EQ(table_.Dispatch(Request("PUT", "/jobs")).response.body,
            R"({"message": "method not allowed; allowed: POST", "error": "method_not_allowed"})");
  // Methods are case-sensitive: "get" is not GET.
  EXPECT_EQ(table_.Dispatch(Request("get", "/jobs/abc")).response.status, 405);
}

TEST_F(RouteTableTest, A405IsLabelledByThePathsRouteAndA404AsUnmatched) {
  EXPECT_EQ(table_.Dispatch(Request("BREW", "/jobs/abc")).label, "/jobs/{id}");
  EXPECT_EQ(table_.Dispatch(Request("BREW", "/images/a/b")).label, "/images/{key}");
  EXPECT_EQ(table_.Dispatch(Request("BREW", "/made/up")).label, kUnmatchedRoute);
  EXPECT_EQ(table_.LabelFor(Request("BREW", "/jobs/abc")), "/jobs/{id}");
  EXPECT_EQ(table_.LabelFor(Request("GET", "/images/a")), "/images/{key}");
  EXPECT_EQ(table_.LabelFor(Request("GET", "/made/up")), kUnmatchedRoute);
}

TEST_F(RouteTableTest, HeadIsAnsweredByTheGetRouteUnlessTheTableHasItsOwn) {
  EXPECT_EQ(table_.Dispatch(Request("HEAD", "/jobs/abc")).response.body, "job id=abc");
  EXPECT_EQ(table_.Dispatch(Request("HEAD", "/jobs")).response.status, 405);  // no GET /jobs
  RouteTable own({{"GET", "/x", Answer("get")}, {"HEAD", "/x", Answer("head")}});
  EXPECT_EQ(own.Dispatch(Request("HEAD", "/x")).response.body, "head");
  EXPECT_EQ(own.AllowedMethods("/x"), "GET, HEAD");
}

TEST_F(RouteTableTest, MayBlockIsTheAnsweringRoutesFlag) {
  EXPECT_TRUE(table_.MayBlock(Request("POST", "/jobs")));
  EXPECT_FALSE(table_.MayBlock(Request("GET", "/jobs/abc")));
  EXPECT_TRUE(table_.MayBlock(Request("DELETE", "/jobs/abc")));  // same path, other route
  EXPECT_TRUE(table_.MayBlock(Request("GET", "/images/a.png")));
  EXPECT_TRUE(table_.MayBlock(Request("HEAD", "/images/a.png")));  // the GET route's flag
  // Refusals are the table's own answers: they never block.
  EXPECT_FALSE(table_.MayBlock(Request("GET", "/jobs")));
  EXPECT_FALSE(table_.MayBlock(Request("GET", "/images/")));
  EXPECT_FALSE(table_.MayBlock(Request("GET", "/nope")));
}

TEST_F(RouteTableTest, LabelsAreEachRoutesLabelOnceThenUnmatched) {
  const std::vector<std::string_view> expected = {
      "/jobs", "/jobs/{id}", "/jobs/{id}/events", "/images/{key}", "/", kUnmatchedRoute};
  EXPECT_EQ(table_.Labels(), expected);
  // Whatever a client sends, the label is one of them.
  for (const char* method : {"GET", "HEAD", "POST", "DELETE", "BREW", "get", ""}) {
    for (const char* path : {"/jobs", "/jobs/1", "/jobs/1/events", "/images/x/y", "/", "/x/y/z",
                             "/jobs/1/2/3", "/%2e%2e", ""}) {
      std::string_view label = table_.Dispatch(Request(method, path)).label;
      EXPECT_NE(std::find(expected.begin(), expected.end(), label), expected.end())
          << method << " " << path << " -> " << label;
    }
  }
}

TEST_F(RouteTableTest, CustomRefusalsKeepTheirBodyAndGetAllowFromTheTable) {
  Refusals refusals;
  refusals.not_found = [](const HttpRequest& r) { return HttpResponse{404, {}, "no " + r.path}; };
  refusals.method_not_allowed = [](const HttpRequest&, std::string_view allow) {
    return HttpResponse{405, {}, "only " + std::string(allow)};
  };
  RouteTable table({{"GET", "/a", Answer("a")}, {"POST", "/a", Answer("post a")}}, refusals);
  EXPECT_EQ(table.Dispatch(Request("GET", "/b")).response.body, "no /b");
  Routed routed = table.Dispatch(Request("PUT", "/a"));
  EXPECT_EQ(routed.response.body, "only GET, HEAD, POST");
  EXPECT_EQ(routed.response.headers.Get("Allow").value_or(""), "GET, HEAD, POST");
}

TEST(RouteTableConstruction, RefusesMalformedTables) {
  auto build = [](std::vector<Route> routes) { RouteTable table(std::move(routes)); };
  EXPECT_THROW(build({{"GET", "jobs", Answer("x")}}), std::invalid_argument);
  EXPECT_THROW(build({{"GET", "/jobs/x{id}", Answer("x")}}), std::invalid_argument);
  EXPECT_THROW(build({{"GET", "/jobs/{}", Answer("x")}}), std::invalid_argument);
  EXPECT_THROW(build({{"GET", "/a/{rest...}/b", Answer("x")}}), std::invalid_argument);
  EXPECT_THROW(build({{"", "/a", Answer("x")}}), std::invalid_argument);
  EXPECT_THROW(build({{"G T", "/a", Answer("x")}}), std::invalid_argument);
  EXPECT_THROW(build({{"GET", "/a", nullptr}}), std::invalid_argument);
  EXPECT_THROW(build({{"GET", "/a", Answer("x")}, {"GET", "/a", Answer("y")}}),
               std::invalid_argument);
  EXPECT_THROW(
      build({{"GET", "/a", Answer("x"), false, "one"}, {"POST", "/a", Answer("y"), false, "two"}}),
      std::invalid_argument);
  EXPECT_NO_THROW(build({{"GET", "/a/{id}/b/{rest...}", Answer("x")}}));
}

}  // namespace
}  // namespace pictor::http
