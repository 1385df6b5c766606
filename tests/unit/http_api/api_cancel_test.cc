// DELETE /jobs/{id} (cancel) and the job JSON GET /jobs/{id} answers, through the API over a real
// SQLite ledger. The caller is set on each request as the API's authentication would set it.
#include <mutex>
#include <string>
#include <vector>

#include "api_fixture.h"
#include "core/ids.h"
#include "core/job_observer.h"
#include "fakes/job_records.h"
#include "pictor/api_keys.h"

namespace pictor::http::testing {
namespace {

using Json = nlohmann::json;
using pictor::testing::NumberedJobId;
using pictor::testing::SampleJobRecord;

// The jobs the API told its observer of, in order.
class JobLog final : public JobObserver {
 public:
  void JobChanged(const JobRecord& record) override {
    std::lock_guard lock(mu_);
    jobs_.push_back(record);
  }
  std::vector<JobRecord> jobs() {
    std::lock_guard lock(mu_);
    return jobs_;
  }

 private:
  std::mutex mu_;  // guards jobs_
  std::vector<JobRecord> jobs_;
};

class ApiCancelTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    ApiOptions options;
    options.job_observer = &observed_;
    api_ = std::make_unique<Api>(pipeline_, queue_.get(), ledger_.get(), metrics_, options);
  }

  HttpResponse As(const std::string& method, const std::string& path, Caller caller) {
    HttpRequest r;
    r.method = method;
    r.path = path;
    r.headers.Add("Host", "pictor.test");
    r.caller = std::move(caller);
    return api_->Handle(r);
  }
  HttpResponse Cancel(const std::string& id, Caller caller = {}) {
    return As("DELETE", "/jobs/" + id, std::move(caller));
  }

  // Job n in `state`, owned by `owner`.
  JobRecord PutJob(int n, JobState state, std::string owner = "") {
    JobRecord r = SampleJobRecord(NumberedJobId(n));
    r.created_ms = r.updated_ms = 1700000000000 + n;
    r.state = state;
    r.owner = std::move(owner);
    EXPECT_TRUE(ledger_->Put(r).ok());
    return r;
  }

  std::string Submit(const std::string& body = R"({"prompt": "a red fox"})") {
    HttpResponse posted = Call("POST", "/jobs", body);
    EXPECT_EQ(posted.status, 202) << posted.body;
    return Body(posted)["id"];
  }

  std::string Metrics() { return metrics_.RenderPrometheus(); }

  JobLog observed_;
};

TEST_F(ApiCancelTest, AQueuedJobIsCancelledAt200) {
  const std::string id = Submit();
  HttpResponse r = Cancel(id);
  ASSERT_EQ(r.status, 200) << r.body;
  Json body = Body(r);
  EXPECT_EQ(body["id"], id);
  EXPECT_EQ(body["status"], "cancelled");
  EXPECT_EQ(body["cancel_requested"], true);
  EXPECT_TRUE(body["url"].is_null());
  EXPECT_EQ(Body(Call("GET", "/jobs/" + id))["status"], "cancelled");
  EXPECT_NE(Metrics().find("pictor_job_cancels_total{state=\"queued\"} 1"), std::string::npos)
      << Metrics();
}

TEST_F(ApiCancelTest, CancellingTwiceIsTheSameAnswer) {
  const std::string id = Submit();
  HttpResponse first = Cancel(id);
  HttpResponse second = Cancel(id);
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(Body(first), Body(second));
  // Counted and told once: the second request changed nothing.
  EXPECT_NE(Metrics().find("pictor_job_cancels_total{state=\"queued\"} 1"), std::string::npos);
  EXPECT_EQ(observed_.jobs().size(), 2u);  // created, cancelled
}

TEST_F(ApiCancelTest, ARunningJobAnswers202AndReadsRunningUntilTheWorkerFinishesIt) {
  PutJob(1, JobState::kRunning);
  HttpResponse r = Cancel(NumberedJobId(1));
  ASSERT_EQ(r.status, 202) << r.body;
  Json body = Body(r);
  EXPECT_EQ(body["status"], "running");
  EXPECT_EQ(body["cancel_requested"], true);
  EXPECT_EQ(Body(Call("GET", "/jobs/" + NumberedJobId(1)))["cancel_requested"], true);
  EXPECT_EQ(Cancel(NumberedJobId(1)).status, 202);  // idempotent while it runs
  EXPECT_NE(Metrics().find("pictor_job_cancels_total{state=\"running\"} 1"), std::string::npos);
}

TEST_F(ApiCancelTest, AFinishedJobAnswers409WithItsState) {
  PutJob(1, JobState::kSucceeded);
  PutJob(2, JobState::kFailed);
  for (const auto& [n, state] : {std::pair{1, "succeeded"}, std::pair{2, "failed"}}) {
    HttpResponse r = Cancel(NumberedJobId(n));
    ASSERT_EQ(r.status, 409) << r.body;
    Json body = Body(r);
    EXPECT_EQ(body["error"], "job_finished");
    EXPECT_EQ(body["status"], state);
    EXPECT_NE(body["message"].get<std::string>().find(state), std::string::npos) << r.body;
    EXPECT_EQ(body["job"]["status"], state);
    auto job = ledger_->Get(NumberedJobId(n));
    ASSERT_TRUE(job.ok());
    EXPECT_FALSE(job->cancel_requested);
    EXPECT_EQ(job->state, n == 1 ? JobState::kSucceeded : JobState::kFailed);
  }
  EXPECT_TRUE(observed_.jobs().empty());
}

TEST_F(ApiCancelTest, AnUnknownJobIs404ForGetAndDelete) {
  for (const char* method : {"GET", "DELETE"}) {
    HttpResponse r = As(method, "/jobs/no-such-job", {});
    EXPECT_EQ(r.status, 404) << method << ": " << r.body;
    EXPECT_EQ(Body(r)["error"], "job_not_found") << method;
  }
  EXPECT_EQ(ledger_->List(JobQuery{})->jobs.size(), 0u);  // nothing was created by asking
}

// A key without admin cancels its own jobs only; another's is as absent as an unknown one.
TEST_F(ApiCancelTest, AKeyWithoutAdminCancelsOnlyItsOwnJobs) {
  PutJob(1, JobState::kQueued, "alice");
  PutJob(2, JobState::kQueued, "bob");
  PutJob(3, JobState::kQueued, "bob");
  const Caller alice{"alice", kScopeRead | kScopeGenerate};
  HttpResponse theirs = Cancel(NumberedJobId(2), alice);
  EXPECT_EQ(theirs.status, 404) << theirs.body;
  EXPECT_EQ(Body(theirs)["error"], "job_not_found");
  EXPECT_EQ(ledger_->Get(NumberedJobId(2))->state, JobState::kQueued);
  EXPECT_EQ(Cancel(NumberedJobId(1), alice).status, 200);
  EXPECT_EQ(Cancel(NumberedJobId(3), Caller{"root", kAllScopes}).status, 200);
  EXPECT_EQ(ledger_->Get(NumberedJobId(3))->state, JobState::kCancelled);
}

TEST_F(ApiCancelTest, TheObserverIsToldOfCreationAndCancellation) {
  const std::string id = Submit();
  ASSERT_EQ(Cancel(id).status, 200);
  std::vector<JobRecord> jobs = observed_.jobs();
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].id, id);
  EXPECT_EQ(jobs[0].state, JobState::kQueued);
  EXPECT_EQ(jobs[1].id, id);
  EXPECT_EQ(jobs[1].state, JobState::kCancelled);
}

TEST_F(ApiCancelTest, CancelledJobsAreListedByTheirState) {
  const std::string cancelled = Submit();
  Submit(R"({"prompt": "a blue fox"})");
  ASSERT_EQ(Cancel(cancelled).status, 200);
  HttpRequest list;
  list.method = "GET";
  list.path = "/jobs";
  list.query = "status=cancelled";
  Json body = Body(api_->Handle(list));
  ASSERT_EQ(body["jobs"].size(), 1u) << body;
  EXPECT_EQ(body["jobs"][0]["id"], cancelled);
  list.query = "status=queued";
  EXPECT_EQ(Body(api_->Handle(list))["jobs"].size(), 1u);
}

TEST_F(ApiCancelTest, TheJobShowsItsRequestAndTimings) {
  const std::string id =
      Submit(R"({"prompt": "a red fox", "negative_prompt": "snow", "seed": 9, "width": 512,
                 "height": 384})");
  Json queued = Body(Call("GET", "/jobs/" + id));
  EXPECT_EQ(queued["prompt"], "a red fox");
  EXPECT_EQ(queued["negative_prompt"], "snow");
  EXPECT_EQ(queued["seed"], 9);
  EXPECT_EQ(queued["width"], 512);
  EXPECT_EQ(queued["height"], 384);
  EXPECT_EQ(queued["model"], "fake");
  EXPECT_EQ(queued["status"], "queued");
  EXPECT_EQ(queued["cancel_requested"], false);
  EXPECT_TRUE(queued["created_at"].is_string());
  EXPECT_TRUE(queued["started_at"].is_null());
  EXPECT_TRUE(queued["finished_at"].is_null());
  EXPECT_TRUE(queued["generation_ms"].is_null());
  EXPECT_TRUE(queued["webhook"].is_null());  // no delivery yet

  auto job = ledger_->Get(id);
  ASSERT_TRUE(job.ok());
  JobRecord done = *job;
  done.state = JobState::kSucceeded;
  done.started_ms = done.created_ms + 1000;
  done.finished_ms = done.created_ms + 3000;
  done.generation_ms = 1500;
  done.webhook_url = "https://hooks.example/pictor?token=secret";
  done.webhook = WebhookDelivery{"failed", 3, 502, done.finished_ms + 10, "bad gateway"};
  ASSERT_TRUE(ledger_->Put(done).ok());
  Json body = Body(Call("GET", "/jobs/" + id));
  EXPECT_EQ(body["started_at"], FormatIso8601(done.started_ms));
  EXPECT_EQ(body["finished_at"], FormatIso8601(done.finished_ms));
  EXPECT_EQ(body["generation_ms"], 1500);
  EXPECT_EQ(body["url"], "http://pictor.test/images/" + done.key);
  EXPECT_EQ(body["webhook"]["state"], "failed");
  EXPECT_EQ(body["webhook"]["attempts"], 3);
  EXPECT_EQ(body["webhook"]["last_status"], 502);
  EXPECT_EQ(body["webhook"]["last_attempt_ms"], done.finished_ms + 10);
  EXPECT_EQ(body["webhook"]["last_error"], "bad gateway");
  EXPECT_EQ(body.dump().find("secret"), std::string::npos);  // the receiver's token stays hidden
}

}  // namespace
}  // namespace pictor::http::testing
