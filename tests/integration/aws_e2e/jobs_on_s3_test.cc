// Jobs across machines: `pictor serve` takes POST /jobs onto an SQS queue, a separate `pictor
// worker` runs them, and both keep the job's record in S3 (--jobs store), so GET /jobs/{id} on
// the server follows the job to its end. Without --jobs an SQS server refuses jobs clearly.
#include <signal.h>

#include <set>

#include "integration/aws_e2e/aws_fixture.h"

namespace pictor::aws_e2e {
namespace {

class JobsOnS3Test : public AwsPeersTest {
 protected:
  // `pictor serve` with no workers on `queue`, images in s3://jobs-images/team; the base URL.
  std::string StartServer(const std::string& queue, const std::vector<std::string>& extra) {
    const std::string port_file = dir_ / "serve.port";
    std::vector<std::string> args = {"serve",
                                     "--listen",
                                     "127.0.0.1:0",
                                     "--port-file",
                                     port_file,
                                     "--store",
                                     "s3://jobs-images",
                                     "--key-prefix",
                                     "team",
                                     "--queue",
                                     queue,
                                     "--workers",
                                     "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    server_ = SpawnPictor(args);
    if (server_ == nullptr) return "";
    bool listening = integration::WaitUntil(
        [&] {
          std::string text = integration::ReadFile(port_file);
          return (!text.empty() && text.back() == '\n') || !server_->Running();
        },
        30s);
    EXPECT_TRUE(listening && server_->Running()) << server_->Stderr();
    std::string port = integration::ReadFile(port_file);
    if (port.empty()) return "";
    port.pop_back();
    return "http://127.0.0.1:" + port;
  }

  void TearDown() override {
    for (auto* process : {&server_, &worker_}) {
      if (*process && (*process)->Running()) {
        (*process)->Signal(SIGTERM);
        if (!(*process)->Wait(30s)) (*process)->Kill();
      }
    }
    AwsPeersTest::TearDown();
  }

  std::unique_ptr<Process> server_;
  std::unique_ptr<Process> worker_;
};

constexpr char kBoats[] =
    R"({"prompt": "Tre røde båter ved en brygge", "width": 64, "height": 64})";

nlohmann::json Json(const integration::HttpResult& r) {
  return nlohmann::json::parse(r.body, nullptr, false);
}

TEST_F(JobsOnS3Test, StatusFollowsTheJobRunOnAnotherProcessThroughRecordsInTheBucket) {
  ASSERT_TRUE(MakeBucket("jobs-images"));
  const std::string queue = MakeQueue("jobs-prompts");
  ASSERT_FALSE(queue.empty());
  const std::string base = StartServer(queue, {"--jobs", "store"});
  ASSERT_FALSE(base.empty());

  auto submitted =
      integration::Http("POST", base + "/jobs", kBoats, {{"Idempotency-Key", "boats-1"}});
  ASSERT_EQ(submitted.status, 202) << submitted.body << server_->Stderr();
  const std::string id = Json(submitted).value("id", "");
  ASSERT_FALSE(id.empty()) << submitted.body;
  auto replay = integration::Http("POST", base + "/jobs", kBoats, {{"Idempotency-Key", "boats-1"}});
  EXPECT_EQ(replay.status, 202) << replay.body;
  EXPECT_EQ(Json(replay).value("id", ""), id) << "the same key must name the same job";
  auto queued = integration::Http("GET", base + "/jobs/" + id);
  EXPECT_EQ(queued.status, 200) << queued.body;
  EXPECT_EQ(Json(queued).value("status", ""), "queued") << queued.body;
  EXPECT_EQ(integration::Http("GET", base + "/jobs/0190b9c2-0000-7000-8000-000000000000").status,
            404);

  worker_ = SpawnPictor({"worker", "--queue", queue, "--store", "s3://jobs-images", "--key-prefix",
                         "team", "--jobs", "store"});
  ASSERT_NE(worker_, nullptr);
  nlohmann::json job;
  bool finished = integration::WaitUntil(
      [&] {
        job = Json(integration::Http("GET", base + "/jobs/" + id));
        return job.value("status", "") == "succeeded" || job.value("status", "") == "failed" ||
               !worker_->Running();
      },
      120s, 200ms);
  ASSERT_TRUE(finished) << job.dump() << "\nworker stderr:\n" << worker_->Stderr();
  ASSERT_EQ(job.value("status", ""), "succeeded") << job.dump() << worker_->Stderr();
  const std::string key = job.value("key", "");
  EXPECT_EQ(key.rfind("team/generated_images/from_queue/", 0), 0u) << job.dump();

  auto keys = ListKeys("jobs-images");
  ASSERT_TRUE(keys.has_value());
  std::set<std::string> all(keys->begin(), keys->end());
  EXPECT_TRUE(all.count(key)) << "the image is in the bucket";
  EXPECT_TRUE(all.count("team/jobs/" + id + ".json")) << "the record is in the bucket";
  ASSERT_TRUE(integration::WaitUntil([&] { return Depth(queue).Empty(); }, 30s, 200ms));
}

// DELETE /jobs/{id} on SQS and the store ledger on S3: the cancellation is a marker object in the
// bucket, and a worker in another process that receives the job's message deletes it without
// generating anything.
TEST_F(JobsOnS3Test, AJobCancelledWhileQueuedIsNeverGeneratedByAWorkerElsewhere) {
  ASSERT_TRUE(MakeBucket("jobs-images"));
  const std::string queue = MakeQueue("jobs-cancel");
  ASSERT_FALSE(queue.empty());
  const std::string base = StartServer(queue, {"--jobs", "store"});
  ASSERT_FALSE(base.empty());
  auto submit = [&](const std::string& body) {
    auto r = integration::Http("POST", base + "/jobs", body);
    EXPECT_EQ(r.status, 202) << r.body;
    return Json(r).value("id", "");
  };
  const std::string cancelled =
      submit(R"({"prompt": "En båt ingen vil ha", "width": 64, "height": 64})");
  const std::string kept = submit(kBoats);
  ASSERT_FALSE(cancelled.empty());
  ASSERT_FALSE(kept.empty());
  auto deleted = integration::Http("DELETE", base + "/jobs/" + cancelled);
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(Json(deleted).value("status", ""), "cancelled");
  const std::string cancelled_key = Json(deleted).value("key", "");

  worker_ = SpawnPictor({"worker", "--queue", queue, "--store", "s3://jobs-images", "--key-prefix",
                         "team", "--jobs", "store"});
  ASSERT_NE(worker_, nullptr);
  nlohmann::json job;
  ASSERT_TRUE(integration::WaitUntil(
      [&] {
        job = Json(integration::Http("GET", base + "/jobs/" + kept));
        return job.value("status", "") == "succeeded" || !worker_->Running();
      },
      120s, 200ms))
      << job.dump() << "\nworker stderr:\n"
      << worker_->Stderr();
  ASSERT_TRUE(integration::WaitUntil([&] { return Depth(queue).Empty(); }, 30s, 200ms));

  nlohmann::json gone = Json(integration::Http("GET", base + "/jobs/" + cancelled));
  EXPECT_EQ(gone.value("status", ""), "cancelled") << gone.dump();
  EXPECT_TRUE(gone["started_at"].is_null()) << gone.dump();
  auto keys = ListKeys("jobs-images");
  ASSERT_TRUE(keys.has_value());
  std::set<std::string> all(keys->begin(), keys->end());
  EXPECT_FALSE(all.count(cancelled_key)) << "no image for the cancelled job";
  EXPECT_TRUE(all.count(job.value("key", ""))) << "the other job's image is in the bucket";
  EXPECT_TRUE(all.count("team/jobs/requests/cancel/" + cancelled)) << "the cancellation's marker";
  auto finished = integration::Http("DELETE", base + "/jobs/" + kept);
  EXPECT_EQ(finished.status, 409) << finished.body;
}

TEST_F(JobsOnS3Test, WithoutALedgerAnSqsServerRefusesJobsAndSaysWhatToConfigure) {
  ASSERT_TRUE(MakeBucket("jobs-images"));
  const std::string queue = MakeQueue("jobs-none");
  ASSERT_FALSE(queue.empty());
  const std::string base = StartServer(queue, {});
  ASSERT_FALSE(base.empty());
  auto refused = integration::Http("POST", base + "/jobs", R"({"prompt": "a lighthouse"})");
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_NE(Json(refused).value("message", "").find("--jobs store"), std::string::npos)
      << refused.body;
  EXPECT_TRUE(Depth(queue).Empty()) << "nothing may be queued for a job nobody can follow";
}

}  // namespace
}  // namespace pictor::aws_e2e
