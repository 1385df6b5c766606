// `pictor serve` end to end: the job history (GET /jobs) over real HTTP, paged with the cursors
// it hands out, filtered by state, and its bad input answered with 400 while the server stays up.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "harness.h"
#include "serve_fixture.h"

namespace pictor::integration {
namespace {

TEST_F(ServeTest, JobHistoryPagesThroughEveryJobNewestFirst) {
  std::set<std::string> submitted;
  for (int i = 0; i < 5; ++i) {
    HttpResult r = Post("/jobs", R"({"prompt": "lighthouse number )" + std::to_string(i) + "\"}");
    ASSERT_EQ(r.status, 202) << r.body;
    submitted.insert(ParseJson(r)["id"].get<std::string>());
  }
  for (const std::string& id : submitted) ASSERT_EQ(AwaitJob(id)["status"], "succeeded");

  std::vector<Json> listed;
  std::string url = "/jobs?limit=2";
  for (int page = 0; page < 5; ++page) {
    HttpResult r = Get(url);
    ASSERT_EQ(r.status, 200) << r.body;
    Json body = ParseJson(r);
    ASSERT_TRUE(body["jobs"].is_array()) << r.body;
    EXPECT_LE(body["jobs"].size(), 2u);
    for (const Json& job : body["jobs"]) listed.push_back(job);
    if (body["next_cursor"].is_null()) break;
    url = "/jobs?limit=2&cursor=" + body["next_cursor"].get<std::string>();
  }
  std::set<std::string> ids;
  for (size_t i = 0; i < listed.size(); ++i) {
    ids.insert(listed[i]["id"].get<std::string>());
    EXPECT_EQ(listed[i]["status"], "succeeded");
    EXPECT_TRUE(listed[i]["owner"].is_null());  // authentication off: no key made the job
    EXPECT_EQ(listed[i]["cost_usd"], 0);
    EXPECT_EQ(listed[i]["url"],
              server_.base_url + "/images/" + listed[i]["key"].get<std::string>());
    if (i > 0) {
      EXPECT_GE(listed[i - 1]["created_at"], listed[i]["created_at"]);
    }
  }
  EXPECT_EQ(listed.size(), 5u);
  EXPECT_EQ(ids, submitted);

  Json succeeded = ParseJson(Get("/jobs?status=succeeded&limit=200"));
  EXPECT_EQ(succeeded["jobs"].size(), 5u);
  EXPECT_TRUE(ParseJson(Get("/jobs?status=failed"))["jobs"].empty());
}

TEST_F(ServeTest, JobHistoryBadParametersAre400AndTheServerStaysUp) {
  for (const char* query : {"limit=0", "limit=201", "limit=abc", "cursor=garbage",
                            "status=finished", "colour=red", "limit=%zz"}) {
    HttpResult r = Get(std::string("/jobs?") + query);
    EXPECT_EQ(r.status, 400) << query << ": " << r.body;
    EXPECT_EQ(r.Header("content-type"), "application/json") << query;
    EXPECT_TRUE(ParseJson(r)["message"].is_string()) << query;
  }
  EXPECT_EQ(Get("/healthz").status, 200);
  EXPECT_EQ(Get("/jobs?limit=1").status, 200);
}

}  // namespace
}  // namespace pictor::integration
