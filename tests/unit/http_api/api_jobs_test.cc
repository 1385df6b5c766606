// GET /jobs (the job history) and what GET /jobs/{id} shows of a job's owner, model and cost,
// through the API over a real SQLite ledger. The caller is set on each request as the API's
// authentication would set it.
#include <set>
#include <string>
#include <vector>

#include "api_fixture.h"
#include "fakes/job_records.h"
#include "pictor/api_keys.h"

namespace pictor::http::testing {
namespace {

using Json = nlohmann::json;
using pictor::testing::NumberedJobId;
using pictor::testing::SampleJobRecord;

class ApiJobsTest : public ApiTest {
 protected:
  HttpResponse List(const std::string& query, Caller caller = {}) {
    HttpRequest r;
    r.method = "GET";
    r.path = "/jobs";
    r.query = query;
    r.headers.Add("Host", "pictor.test");
    r.caller = std::move(caller);
    return api_->Handle(r);
  }

  // Job n, created at 1000 * n by `owner`.
  JobRecord Job(int n, std::string owner = "", JobState state = JobState::kQueued) {
    JobRecord r = SampleJobRecord(NumberedJobId(n));
    r.created_ms = r.updated_ms = 1700000000000 + 1000 * n;
    r.owner = std::move(owner);
    r.state = state;
    return r;
  }

  void PutJobs(const std::vector<JobRecord>& jobs) {
    for (const JobRecord& job : jobs) ASSERT_TRUE(ledger_->Put(job).ok()) << job.id;
  }

  static std::vector<std::string> Ids(const Json& body) {
    std::vector<std::string> ids;
    for (const Json& job : body["jobs"]) ids.push_back(job["id"]);
    return ids;
  }

  static Caller KeyWith(std::string name, uint32_t scopes) {
    return Caller{std::move(name), scopes};
  }
};

TEST_F(ApiJobsTest, GetJobShowsOwnerModelAndCost) {
  JobRecord job = Job(1, "ci-bot", JobState::kSucceeded);
  job.model = "bedrock:amazon.nova-canvas-v1:0";
  job.cost_usd = 0.04;
  PutJobs({job, Job(2)});
  Json body = Body(Call("GET", "/jobs/" + job.id));
  EXPECT_EQ(body["owner"], "ci-bot");
  EXPECT_EQ(body["model"], "bedrock:amazon.nova-canvas-v1:0");
  EXPECT_DOUBLE_EQ(body["cost_usd"].get<double>(), 0.04);
  EXPECT_EQ(body["url"], "http://pictor.test/images/generated_images/from_queue/x.png");
  Json anonymous = Body(Call("GET", "/jobs/" + NumberedJobId(2)));
  EXPECT_TRUE(anonymous["owner"].is_null());
  EXPECT_TRUE(anonymous["model"].is_null());
  EXPECT_EQ(anonymous["cost_usd"], 0);
}

TEST_F(ApiJobsTest, ListPagesNewestFirstAndEachEntryIsTheJobsOwnAnswer) {
  PutJobs({Job(1), Job(2, "a", JobState::kSucceeded), Job(3), Job(4), Job(5)});
  std::vector<std::string> ids;
  std::string query = "limit=2";
  for (int page = 0; page < 5; ++page) {
    HttpResponse r = List(query);
    ASSERT_EQ(r.status, 200) << r.body;
    Json body = Body(r);
    EXPECT_LE(body["jobs"].size(), 2u);
    for (const Json& job : body["jobs"]) {
      ids.push_back(job["id"]);
      EXPECT_EQ(job, Body(Call("GET", "/jobs/" + job["id"].get<std::string>())));
    }
    if (body["next_cursor"].is_null()) break;
    query = "limit=2&cursor=" + body["next_cursor"].get<std::string>();
  }
  EXPECT_EQ(ids, (std::vector<std::string>{NumberedJobId(5), NumberedJobId(4), NumberedJobId(3),
                                           NumberedJobId(2), NumberedJobId(1)}));
  Json all = Body(List(""));  // default limit 50
  EXPECT_EQ(all["jobs"].size(), 5u);
  EXPECT_TRUE(all["next_cursor"].is_null());
}

TEST_F(ApiJobsTest, AJobJustSubmittedIsListed) {
  HttpResponse posted = Call("POST", "/jobs", R"({"prompt": "a red fox"})");
  ASSERT_EQ(posted.status, 202) << posted.body;
  Json body = Body(List("status=queued"));
  ASSERT_EQ(body["jobs"].size(), 1u);
  EXPECT_EQ(body["jobs"][0]["id"], Body(posted)["id"]);
  EXPECT_EQ(body["jobs"][0]["prompt"], "a red fox");
}

TEST_F(ApiJobsTest, AdminFiltersByStatusAndKey) {
  PutJobs({Job(1, "alice", JobState::kSucceeded), Job(2, "bob", JobState::kSucceeded),
           Job(3, "alice"), Job(4)});
  EXPECT_EQ(Ids(Body(List("status=succeeded"))),
            (std::vector<std::string>{NumberedJobId(2), NumberedJobId(1)}));
  EXPECT_EQ(Ids(Body(List("key=alice"))),
            (std::vector<std::string>{NumberedJobId(3), NumberedJobId(1)}));
  EXPECT_EQ(Ids(Body(List("key=alice&status=queued", KeyWith("root", kAllScopes)))),
            (std::vector<std::string>{NumberedJobId(3)}));
  EXPECT_TRUE(Body(List("key=carol"))["jobs"].empty());
}

// Without admin, a key sees its own jobs whatever it asks for, and asking for another key's is a
// refusal rather than a silently different answer.
TEST_F(ApiJobsTest, AKeyWithoutAdminSeesOnlyItsOwnJobs) {
  PutJobs({Job(1, "alice"), Job(2, "bob"), Job(3, "alice", JobState::kFailed), Job(4)});
  const Caller alice = KeyWith("alice", kScopeRead | kScopeGenerate);
  HttpResponse mine = List("", alice);
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_EQ(Ids(Body(mine)), (std::vector<std::string>{NumberedJobId(3), NumberedJobId(1)}));
  EXPECT_EQ(Ids(Body(List("key=alice&status=failed", alice))),
            (std::vector<std::string>{NumberedJobId(3)}));
  HttpResponse theirs = List("key=bob", alice);
  EXPECT_EQ(theirs.status, 403) << theirs.body;
  EXPECT_EQ(Body(theirs)["error"], "insufficient_scope");
  HttpResponse nameless = List("", KeyWith("", kScopeRead));
  EXPECT_EQ(nameless.status, 403) << nameless.body;
}

TEST_F(ApiJobsTest, BadParametersAreClear400s) {
  PutJobs({Job(1)});
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"limit=0", "invalid_limit"},
      {"limit=201", "invalid_limit"},
      {"limit=-1", "invalid_limit"},
      {"limit=ten", "invalid_limit"},
      {"limit=", "invalid_limit"},
      {"limit=5x", "invalid_limit"},
      {"limit=99999999999999999999", "invalid_limit"},
      {"cursor=garbage", "invalid_cursor"},
      {"cursor=", "invalid_cursor"},
      {"cursor=j1.%ff%fe", "invalid_cursor"},
      {"status=done", "invalid_status"},
      {"status=QUEUED", "invalid_status"},
      {"key=Not%20A%20Name", "invalid_key_name"},
      {"stauts=queued", "unknown_parameter"},
      {"limit=1&limit=2", "duplicate_parameter"},
      {"limit=%zz", "invalid_query"},
      {"key=%00", "invalid_query"},
  };
  for (const auto& [query, error] : cases) {
    HttpResponse r = List(query);
    EXPECT_EQ(r.status, 400) << query << ": " << r.body;
    Json body = Json::parse(r.body, nullptr, false);
    ASSERT_FALSE(body.is_discarded()) << query;
    EXPECT_EQ(body["error"], error) << query << ": " << r.body;
    EXPECT_FALSE(body["message"].get<std::string>().empty()) << query;
  }
  EXPECT_EQ(List("limit=200").status, 200);
  EXPECT_EQ(List("limit=1&&").status, 200);  // empty pairs are nothing
}

TEST_F(ApiJobsTest, ListWithoutALedgerIs503) {
  Api no_ledger(pipeline_, queue_.get(), nullptr, metrics_, ApiOptions{});
  HttpRequest r;
  r.method = "GET";
  r.path = "/jobs";
  EXPECT_EQ(no_ledger.Handle(r).status, 503);
}

}  // namespace
}  // namespace pictor::http::testing
