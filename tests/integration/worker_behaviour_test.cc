// `pictor worker` against a real SQLite queue: which bodies it accepts, what it does with the
// ones it cannot (dead letter at once, reason kept, visible through GET /jobs/{id}), that a
// redelivered job stores no second image, and that SIGTERM ends it with exit 0.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness.h"

namespace pictor::integration {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

class WorkerTest : public testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(PictorBinary().empty()) << "PICTOR_BIN is not set"; }

  void TearDown() override {
    if (HasFailure() && worker_) std::cerr << "pictor worker stderr:\n" << worker_->Stderr();
  }

  fs::path FromQueue() const { return dir_.path() / "images/generated_images/from_queue"; }

  // Waits (bounded) until nothing is visible or in flight.
  bool AwaitDrained(std::chrono::milliseconds timeout = 60s) {
    return WaitUntil(
        [&] {
          auto q = QueueState(QueuePath(dir_));
          return q && q->visible == 0 && q->in_flight == 0 && q->delayed == 0;
        },
        timeout);
  }

  // Waits (bounded) until the worker logs that its threads are running.
  bool AwaitStarted() {
    return WaitUntil([&] { return worker_->Stderr().find("worker started") != std::string::npos; },
                     30s);
  }

  // Stops the worker with SIGTERM and expects exit 0 within 20 s.
  void ExpectCleanStop() {
    ASSERT_TRUE(worker_);
    worker_->Signal(SIGTERM);
    auto exit = worker_->Wait(20s);
    ASSERT_TRUE(exit.has_value()) << "pictor worker still running 20 s after SIGTERM";
    EXPECT_TRUE(exit->exited) << "killed by signal " << exit->signal;
    EXPECT_EQ(exit->code, 0);
  }

  TempDir dir_;
  std::unique_ptr<Process> worker_;
};

TEST_F(WorkerTest, BodyWithUnknownFieldIsDeadLetteredAtOnceAndTheNextJobRuns) {
  auto ids = SendToQueue(QueuePath(dir_), {R"({"prompt": "a cat", "style": "oil painting"})",
                                           R"({"prompt": "a dog", "width": 64, "height": 64})"});
  ASSERT_EQ(ids.size(), 2u);
  ASSERT_TRUE(StartWorker(dir_, &worker_, {"--concurrency", "1"}));
  ASSERT_TRUE(AwaitDrained());

  auto dead = DeadLetters(QueuePath(dir_));
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].message_id, ids[0]);
  EXPECT_EQ(dead[0].receive_count, 1);
  EXPECT_NE(dead[0].reason.find("style"), std::string::npos) << dead[0].reason;

  auto files = PngFilesUnder(FromQueue());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_NE(files[0].filename().string().find(ids[1]), std::string::npos) << files[0];
  ExpectCleanStop();
}

TEST_F(WorkerTest, PromptOf513CharactersIsDeadLetteredAtOnceWithTheReason) {
  auto ids = SendToQueue(QueuePath(dir_), {std::string(513, 'p')});
  ASSERT_EQ(ids.size(), 1u);
  ASSERT_TRUE(StartWorker(dir_, &worker_));
  ASSERT_TRUE(AwaitDrained());
  auto dead = DeadLetters(QueuePath(dir_));
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].receive_count, 1);
  EXPECT_NE(dead[0].reason.find("513"), std::string::npos) << dead[0].reason;
  EXPECT_TRUE(PngFilesUnder(dir_.path() / "images").empty());
  ExpectCleanStop();
}

TEST_F(WorkerTest, FailedJobShowsAsFailedThroughAServerSharingTheQueue) {
  auto ids = SendToQueue(QueuePath(dir_), {R"({"prompt": "a cat", "colour": "red"})"});
  ASSERT_EQ(ids.size(), 1u);
  ASSERT_TRUE(StartWorker(dir_, &worker_));
  ASSERT_TRUE(AwaitDrained());

  Server server;
  ASSERT_TRUE(StartServe(dir_, &server, {"--workers", "0"}));
  HttpResult r = Http("GET", server.base_url + "/jobs/" + ids[0]);
  ASSERT_EQ(r.status, 200) << r.body;
  Json job = Json::parse(r.body);
  EXPECT_EQ(job["id"], ids[0]);
  EXPECT_EQ(job["status"], "failed");
  ASSERT_TRUE(job["error"].is_string()) << r.body;
  EXPECT_NE(job["error"].get<std::string>().find("colour"), std::string::npos) << r.body;
  EXPECT_TRUE(job["url"].is_null());
  EXPECT_EQ(job["attempts"], 1);
  ExpectCleanStop();
}

TEST_F(WorkerTest, SentPromptShowsAsSucceededThroughAServerSharingTheQueue) {
  RunResult sent =
      RunPictor(dir_, {"send", "a lantern", "--size", "64x64", "--queue", QueueSpec(dir_)});
  ASSERT_EQ(sent.code(), 0) << sent.err;
  std::string id = sent.out.substr(0, sent.out.find('\n'));
  ASSERT_TRUE(StartWorker(dir_, &worker_));
  ASSERT_TRUE(AwaitDrained());
  Server server;
  ASSERT_TRUE(StartServe(dir_, &server, {"--workers", "0"}));
  HttpResult r = Http("GET", server.base_url + "/jobs/" + id);
  ASSERT_EQ(r.status, 200) << r.body;
  Json job = Json::parse(r.body);
  EXPECT_EQ(job["status"], "succeeded") << r.body;
  EXPECT_EQ(job["prompt"], "a lantern");
  HttpResult image = Http("GET", job["url"]);
  ASSERT_EQ(image.status, 200);
  auto png = DecodePng(image.body);
  ASSERT_TRUE(png.has_value());
  EXPECT_EQ(png->width, 64u);
  ExpectCleanStop();
}

TEST_F(WorkerTest, PlainTextAndJsonBodiesBothMakeImages) {
  auto ids = SendToQueue(QueuePath(dir_),
                         {"  a plain text prompt, as aws sqs send-message sends it  ",
                          R"({"prompt": "a json prompt", "seed": 9, "width": 64, "height": 80})"});
  ASSERT_EQ(ids.size(), 2u);
  ASSERT_TRUE(StartWorker(dir_, &worker_));
  ASSERT_TRUE(AwaitDrained());
  EXPECT_TRUE(DeadLetters(QueuePath(dir_)).empty());

  auto files = PngFilesUnder(FromQueue());
  ASSERT_EQ(files.size(), 2u);
  for (const auto& f : files) {
    auto png = DecodePng(ReadFile(f));
    ASSERT_TRUE(png.has_value()) << f;
    const std::string name = f.filename().string();
    if (name.find(ids[1]) != std::string::npos) {
      EXPECT_EQ(name, "builtin_9_" + ids[1] + ".png");
      EXPECT_EQ(png->width, 64u);
      EXPECT_EQ(png->height, 80u);
    } else {
      EXPECT_NE(name.find(ids[0]), std::string::npos) << name;
      EXPECT_EQ(png->width, 512u);  // the queue's default size
      EXPECT_EQ(png->height, 512u);
    }
  }
  ExpectCleanStop();
}

TEST_F(WorkerTest, RedeliveredJobStoresNoSecondImage) {
  // The same job delivered twice (as SQS may): both messages carry one job id.
  const std::string body = R"({"job_id": "job-41", "prompt": "a bell", "width": 64, "height": 64})";
  auto ids = SendToQueue(QueuePath(dir_), {body, body});
  ASSERT_EQ(ids.size(), 2u);
  ASSERT_TRUE(StartWorker(dir_, &worker_, {"--concurrency", "1"}));
  ASSERT_TRUE(AwaitDrained());
  EXPECT_TRUE(DeadLetters(QueuePath(dir_)).empty());
  auto files = PngFilesUnder(dir_.path() / "images");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_NE(files[0].filename().string().find("_job-41.png"), std::string::npos) << files[0];
  ExpectCleanStop();
}

TEST_F(WorkerTest, MessageWhoseReceiverVanishedIsProcessedOnceAfterItsVisibilityTimeout) {
  auto ids = SendToQueue(QueuePath(dir_), {R"({"prompt": "a kite", "width": 64, "height": 64})"});
  ASSERT_EQ(ids.size(), 1u);
  {
    // A consumer that receives the message and disappears without deleting it.
    SqliteQueueOptions options;
    options.path = QueuePath(dir_);
    auto queue = OpenSqliteQueue(options);
    ASSERT_TRUE(queue.ok());
    auto got = (*queue)->Receive(ReceiveOptions{1, std::chrono::seconds(1), {}});
    ASSERT_TRUE(got.ok());
    ASSERT_EQ(got->size(), 1u);
  }
  ASSERT_TRUE(StartWorker(dir_, &worker_));
  ASSERT_TRUE(AwaitDrained());
  auto files = PngFilesUnder(dir_.path() / "images");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_NE(files[0].filename().string().find(ids[0]), std::string::npos);
  EXPECT_TRUE(DeadLetters(QueuePath(dir_)).empty());
  ExpectCleanStop();
}

TEST_F(WorkerTest, SigtermWhileIdleExitsZero) {
  ASSERT_TRUE(StartWorker(dir_, &worker_));
  ASSERT_TRUE(AwaitStarted());
  ExpectCleanStop();
}

TEST_F(WorkerTest, SigtermFinishesOrHandsBackEveryReceivedJob) {
  std::vector<std::string> bodies;
  for (int i = 0; i < 40; ++i) {
    bodies.push_back(
        Json({{"prompt", "a tower number " + std::to_string(i)}, {"width", 192}, {"height", 192}})
            .dump());
  }
  ASSERT_EQ(SendToQueue(QueuePath(dir_), bodies).size(), 40u);
  ASSERT_TRUE(StartWorker(dir_, &worker_, {"--concurrency", "4"}));
  ASSERT_TRUE(WaitUntil([&] { return !PngFilesUnder(FromQueue()).empty(); }, 60s));
  ExpectCleanStop();
  // Nothing is left hidden behind a visibility timeout by the stopped worker: each message
  // was either finished (image stored, deleted) or made visible again.
  auto q = QueueState(QueuePath(dir_));
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->in_flight, 0);
  EXPECT_EQ(q->visible + static_cast<int64_t>(PngFilesUnder(FromQueue()).size()), 40);
}

TEST_F(WorkerTest, MessageArrivingDuringShutdownIsHandedBack) {
  SqliteQueueOptions options;
  options.path = QueuePath(dir_);
  auto queue = OpenSqliteQueue(options);
  ASSERT_TRUE(queue.ok()) << queue.status().ToString();
  ASSERT_TRUE(StartWorker(dir_, &worker_, {"--concurrency", "1"}));
  ASSERT_TRUE(AwaitStarted());
  // The idle worker is long-polling the empty queue (1 s per poll). A message sent right after
  // the stop request is received by the poll in progress; the stopping worker must hand it
  // back (make it visible) rather than leave it hidden for its whole visibility timeout.
  worker_->Signal(SIGTERM);
  auto sent = (*queue)->Send(OutgoingMessage{"a late prompt", std::chrono::seconds(0)});
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  auto exit = worker_->Wait(20s);
  ASSERT_TRUE(exit.has_value()) << "pictor worker still running 20 s after SIGTERM";
  EXPECT_TRUE(exit->exited && exit->code == 0);
  auto q = (*queue)->Attributes();
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->in_flight, 0) << "the stopped worker left the message hidden";
  EXPECT_EQ(q->visible + static_cast<int64_t>(PngFilesUnder(FromQueue()).size()), 1);
}

}  // namespace
}  // namespace pictor::integration
