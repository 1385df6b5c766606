// `pictor serve` end to end: DELETE /jobs/{id} over real HTTP. A job cancelled while queued
// (serve --workers 0) is never generated once a `pictor worker` on the same queue and ledger
// drains the queue: no image, the job stays cancelled. Run over the SQLite ledger beside the
// queue and over the store ledger (--jobs store), whose cancellation is an object of its own.
#include <gtest/gtest.h>

#include <csignal>
#include <memory>
#include <string>
#include <vector>

#include "harness.h"
#include "serve_fixture.h"

namespace pictor::integration {
namespace {

// The parameter: the ledger flags serve and worker share ({} = SQLite beside the queue).
class JobsCancelTest : public testing::TestWithParam<std::vector<std::string>> {
 protected:
  void SetUp() override {
    ASSERT_FALSE(PictorBinary().empty()) << "PICTOR_BIN is not set";
    std::vector<std::string> args = {"--workers", "0"};
    args.insert(args.end(), GetParam().begin(), GetParam().end());
    ASSERT_TRUE(StartServe(dir_, &server_, args));
  }
  void TearDown() override {
    if (HasFailure() && server_.process) {
      std::cerr << "pictor serve stderr:\n" << server_.process->Stderr();
    }
    if (HasFailure() && worker_) std::cerr << "pictor worker stderr:\n" << worker_->Stderr();
  }

  HttpResult Call(const std::string& method, const std::string& path,
                  const std::string& body = {}) {
    return Http(method, server_.base_url + path, body);
  }
  std::string Submit(const std::string& prompt) {
    HttpResult r =
        Call("POST", "/jobs", Json({{"prompt", prompt}, {"width", 64}, {"height", 64}}).dump());
    EXPECT_EQ(r.status, 202) << r.body;
    return ParseJson(r)["id"].get<std::string>();
  }
  Json Job(const std::string& id) { return ParseJson(Call("GET", "/jobs/" + id)); }

  // Starts `pictor worker` on the queue and ledger and waits (bounded) until it drained the
  // queue; stops it.
  void DrainWithAWorker() {
    std::vector<std::string> args = {"--visibility-timeout", "5"};
    args.insert(args.end(), GetParam().begin(), GetParam().end());
    ASSERT_TRUE(StartWorker(dir_, &worker_, args));
    const bool drained = WaitUntil(
        [&] {
          auto q = QueueState(QueuePath(dir_));
          return q && q->visible == 0 && q->in_flight == 0 && q->delayed == 0;
        },
        60s, 50ms);
    worker_->Signal(SIGTERM);
    auto exit = worker_->Wait(20s);
    ASSERT_TRUE(drained) << "the queue was not drained";
    ASSERT_TRUE(exit && exit->exited && exit->code == 0);
  }

  TempDir dir_;
  Server server_;
  std::unique_ptr<Process> worker_;
};

TEST_P(JobsCancelTest, AJobCancelledWhileQueuedIsNeverGenerated) {
  const std::string cancelled = Submit("a lighthouse nobody wants");
  const std::string kept = Submit("a lighthouse at dusk");
  HttpResult r = Call("DELETE", "/jobs/" + cancelled);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(ParseJson(r)["status"], "cancelled");
  HttpResult again = Call("DELETE", "/jobs/" + cancelled);
  EXPECT_EQ(again.status, 200) << again.body;  // idempotent
  const std::string key = Job(cancelled)["key"].get<std::string>();

  DrainWithAWorker();

  Json job = Job(cancelled);
  EXPECT_EQ(job["status"], "cancelled") << job;
  EXPECT_TRUE(job["url"].is_null());
  EXPECT_TRUE(job["started_at"].is_null()) << job;  // never generated
  EXPECT_TRUE(job["finished_at"].is_string()) << job;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "images" / key)) << key;
  Json done = Job(kept);
  EXPECT_EQ(done["status"], "succeeded") << done;  // the worker did run
  EXPECT_EQ(PngFilesUnder(dir_.path() / "images").size(), 1u);
  EXPECT_NE(worker_->Stderr().find("1 succeeded, 0 retried, 0 dead-lettered, 1 cancelled"),
            std::string::npos)
      << worker_->Stderr();

  // Finished now: nothing more to cancel.
  HttpResult finished = Call("DELETE", "/jobs/" + kept);
  EXPECT_EQ(finished.status, 409) << finished.body;
  EXPECT_EQ(ParseJson(finished)["error"], "job_finished");
  EXPECT_EQ(ParseJson(finished)["status"], "succeeded");
  EXPECT_EQ(Call("DELETE", "/jobs/" + cancelled).status, 200);

  Json listed = ParseJson(Call("GET", "/jobs?status=cancelled"));
  ASSERT_EQ(listed["jobs"].size(), 1u) << listed;
  EXPECT_EQ(listed["jobs"][0]["id"], cancelled);
}

TEST_P(JobsCancelTest, BadJobRequestsAreClear4xxAndTheServerStaysUp) {
  for (const char* method : {"GET", "DELETE"}) {
    HttpResult r = Call(method, "/jobs/no-such-job");
    EXPECT_EQ(r.status, 404) << method << ": " << r.body;
    EXPECT_EQ(ParseJson(r)["error"], "job_not_found") << method;
  }
  EXPECT_EQ(Call("DELETE", "/jobs").status, 405);
  for (const char* query : {"cursor=bm90LWEtY3Vyc29y", "limit=0", "limit=201"}) {
    HttpResult r = Call("GET", std::string("/jobs?") + query);
    EXPECT_EQ(r.status, 400) << query << ": " << r.body;
  }
  EXPECT_EQ(Call("GET", "/healthz").status, 200);
  EXPECT_TRUE(server_.process->Running());
}

INSTANTIATE_TEST_SUITE_P(Ledgers, JobsCancelTest,
                         testing::Values(std::vector<std::string>{},
                                         std::vector<std::string>{"--jobs", "store"}),
                         [](const testing::TestParamInfo<std::vector<std::string>>& info) {
                           return info.param.empty() ? std::string("SqliteLedger")
                                                     : std::string("StoreLedger");
                         });

}  // namespace
}  // namespace pictor::integration
