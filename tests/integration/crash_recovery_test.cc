// A worker killed with SIGKILL in the middle of a run loses nothing and duplicates nothing:
// 200 prompts are queued, `pictor worker --concurrency 4` is killed once some images exist but
// the queue is not empty, a new worker is started, and when the queue is drained there is
// exactly one valid PNG per message under from_queue/ and no dead letter.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "harness.h"

namespace pictor::integration {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

constexpr size_t kMessages = 200;

// The message id in "builtin_<seed>_<id>.png".
std::string IdOf(const fs::path& file) {
  std::string name = file.stem().string();
  size_t first = name.find('_');
  size_t second = first == std::string::npos ? first : name.find('_', first + 1);
  return second == std::string::npos ? "" : name.substr(second + 1);
}

// Killed once this many images are stored.
class CrashRecoveryTest : public testing::TestWithParam<size_t> {};

TEST_P(CrashRecoveryTest, KilledWorkerLosesAndDuplicatesNothing) {
  ASSERT_FALSE(PictorBinary().empty()) << "PICTOR_BIN is not set";
  const size_t kill_after = GetParam();
  TempDir dir;
  const fs::path from_queue = dir.path() / "images/generated_images/from_queue";

  std::vector<std::string> bodies;
  for (size_t i = 0; i < kMessages; ++i) {
    bodies.push_back(Json({{"prompt", "lighthouse number " + std::to_string(i) + " at dusk"},
                           {"width", 64},
                           {"height", 64}})
                         .dump());
  }
  const std::vector<std::string> ids = SendToQueue(QueuePath(dir), bodies);
  ASSERT_EQ(ids.size(), kMessages);

  const std::vector<std::string> worker_args = {"--concurrency", "4", "--visibility-timeout", "5"};
  std::unique_ptr<Process> first;
  ASSERT_TRUE(StartWorker(dir, &first, worker_args));
  ASSERT_TRUE(WaitUntil([&] { return PngFilesUnder(from_queue).size() >= kill_after; }, 120s, 5ms))
      << "only " << PngFilesUnder(from_queue).size() << " images; stderr:\n"
      << first->Stderr();
  ExitStatus killed = first->Kill();
  ASSERT_FALSE(killed.exited) << "the worker had exited by itself: " << first->Stderr();
  ASSERT_EQ(killed.signal, SIGKILL);
  const size_t at_kill = PngFilesUnder(from_queue).size();
  auto left = QueueState(QueuePath(dir));
  ASSERT_TRUE(left.has_value());
  ASSERT_GT(left->visible + left->in_flight, 0)
      << "the queue was empty when the worker died (" << at_kill << " images): no crash was tested";

  std::unique_ptr<Process> second;
  ASSERT_TRUE(StartWorker(dir, &second, worker_args));
  const bool drained = WaitUntil(
      [&] {
        auto q = QueueState(QueuePath(dir));
        return q && q->visible == 0 && q->in_flight == 0 && q->delayed == 0;
      },
      120s, 50ms);
  second->Signal(SIGTERM);
  auto exit = second->Wait(20s);
  ASSERT_TRUE(drained) << "queue not drained; second worker stderr:\n" << second->Stderr();
  ASSERT_TRUE(exit.has_value() && exit->exited && exit->code == 0) << second->Stderr();

  const std::vector<fs::path> files = PngFilesUnder(from_queue);
  EXPECT_EQ(files.size(), kMessages) << at_kill << " images when killed";
  std::set<std::string> stored_ids;
  for (const auto& f : files) {
    stored_ids.insert(IdOf(f));
    auto png = DecodePng(ReadFile(f));
    ASSERT_TRUE(png.has_value()) << f << " is not a valid PNG";
    EXPECT_EQ(png->width, 64u);
    EXPECT_EQ(png->height, 64u);
  }
  EXPECT_EQ(stored_ids, std::set<std::string>(ids.begin(), ids.end()));
  EXPECT_EQ(PngFilesUnder(dir.path() / "images").size(), kMessages);  // nothing elsewhere

  EXPECT_TRUE(DeadLetters(QueuePath(dir)).empty());
  auto end = QueueState(QueuePath(dir));
  ASSERT_TRUE(end.has_value());
  EXPECT_EQ(end->dead_lettered, 0);
}

INSTANTIATE_TEST_SUITE_P(KillMoments, CrashRecoveryTest, testing::Values(size_t{40}, size_t{120}),
                         [](const testing::TestParamInfo<size_t>& info) {
                           return "KillAfter" + std::to_string(info.param) + "Images";
                         });

// Jobs accepted over HTTP survive a SIGKILL of the server whose in-process workers run them:
// once a worker has drained the queue every job reports "succeeded" with a stored image.
TEST(ServerCrashRecoveryTest, KilledServerLosesNoAcceptedJob) {
  ASSERT_FALSE(PictorBinary().empty()) << "PICTOR_BIN is not set";
  constexpr size_t kJobs = 60;
  TempDir dir;
  const fs::path from_queue = dir.path() / "images/generated_images/from_queue";

  std::vector<std::string> job_ids;
  {
    Server accepting;  // no workers: every job is still queued when the next server starts
    ASSERT_TRUE(StartServe(dir, &accepting, {"--workers", "0"}));
    for (size_t i = 0; i < kJobs; ++i) {
      Json body = {
          {"prompt", "harbour crane number " + std::to_string(i)}, {"width", 64}, {"height", 64}};
      HttpResult r = Http("POST", accepting.base_url + "/jobs", body.dump());
      ASSERT_EQ(r.status, 202) << r.body;
      job_ids.push_back(Json::parse(r.body)["id"]);
    }
    accepting.process->Signal(SIGTERM);
    ASSERT_TRUE(accepting.process->Wait(10s).has_value());
  }

  Server running;
  ASSERT_TRUE(StartServe(dir, &running, {"--workers", "2", "--visibility-timeout", "5"}));
  ASSERT_TRUE(WaitUntil([&] { return PngFilesUnder(from_queue).size() >= 15; }, 120s, 5ms))
      << running.process->Stderr();
  ASSERT_FALSE(running.process->Kill().exited);
  auto left = QueueState(QueuePath(dir));
  ASSERT_TRUE(left.has_value());
  ASSERT_GT(left->visible + left->in_flight, 0) << "no job was left when the server died";

  std::unique_ptr<Process> worker;
  ASSERT_TRUE(StartWorker(dir, &worker, {"--visibility-timeout", "5"}));
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto q = QueueState(QueuePath(dir));
        return q && q->visible == 0 && q->in_flight == 0 && q->delayed == 0;
      },
      120s, 50ms))
      << worker->Stderr();

  Server reading;
  ASSERT_TRUE(StartServe(dir, &reading, {"--workers", "0"}));
  for (const auto& id : job_ids) {
    HttpResult r = Http("GET", reading.base_url + "/jobs/" + id);
    ASSERT_EQ(r.status, 200) << r.body;
    Json job = Json::parse(r.body);
    EXPECT_EQ(job["status"], "succeeded") << r.body;
    EXPECT_TRUE(fs::exists(dir.path() / "images" / job["key"].get<std::string>())) << r.body;
  }
  EXPECT_EQ(PngFilesUnder(from_queue).size(), kJobs);
  EXPECT_TRUE(DeadLetters(QueuePath(dir)).empty());
}

}  // namespace
}  // namespace pictor::integration
