// A worker killed with SIGKILL in the middle of a run loses nothing and duplicates nothing:
// 200 prompts are queued, `pictor worker --concurrency 4` is killed once some images exist but
// the queue is not empty, a new worker is started, and when the queue is drained there is
// exactly one valid PNG per message under from_queue/ and no dead letter.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
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

// The server that the kill loop's clients talk to, replaced after each SIGKILL.
class ServerSlot {
 public:
  void Set(std::string base_url) {
    std::lock_guard lock(mu_);
    base_url_ = std::move(base_url);
    ++generation_;
  }
  std::pair<std::string, int> Get() {
    std::lock_guard lock(mu_);
    return {base_url_, generation_};
  }
  int generation() {
    std::lock_guard lock(mu_);
    return generation_;
  }

 private:
  std::mutex mu_;  // guards base_url_, generation_
  std::string base_url_;
  int generation_ = 0;
};

// What the clients learnt about each Idempotency-Key: the job id of its first 202, if any.
class KeyBook {
 public:
  void Tried(const std::string& key, std::optional<std::string> id) {
    std::lock_guard lock(mu_);
    auto& entry = ids_[key];
    if (!entry && id) entry = std::move(id);
  }
  std::map<std::string, std::optional<std::string>> Snapshot() {
    std::lock_guard lock(mu_);
    return ids_;
  }
  size_t accepted() {
    std::lock_guard lock(mu_);
    size_t n = 0;
    for (const auto& [key, id] : ids_) n += id.has_value();
    return n;
  }

 private:
  std::mutex mu_;  // guards ids_
  std::map<std::string, std::optional<std::string>> ids_;
};

std::string KillLoopBody(const std::string& key) {
  return Json({{"prompt", "fishing boat " + key}, {"width", 64}, {"height", 64}}).dump();
}

HttpResult SubmitKeyed(const std::string& base_url, const std::string& key) {
  return Http("POST", base_url + "/jobs", KillLoopBody(key), {{"Idempotency-Key", key}});
}

// The kill loop: clients submit keyed jobs while `pictor serve` is SIGKILLed and restarted again
// and again; a `pictor worker` runs the jobs throughout. After the last restart every key ever
// tried is submitted once more. Every key must then be accepted, keep the job id of its first
// acceptance, and every job must end succeeded with exactly one valid PNG: a 202 means the job
// runs, whichever instant the server died at (the moment between recording a job and queueing
// its message included; that window is also tested deterministically in http_api_test).
TEST(ServerCrashRecoveryTest, KillLoopEveryAcceptedKeyedJobRunsOnce) {
  ASSERT_FALSE(PictorBinary().empty()) << "PICTOR_BIN is not set";
  constexpr int kKills = 8;
  constexpr int kClients = 4;
  constexpr size_t kAcceptedPerRound = 60;
  TempDir dir;
  const fs::path from_queue = dir.path() / "images/generated_images/from_queue";

  std::unique_ptr<Process> worker;
  ASSERT_TRUE(StartWorker(dir, &worker, {"--concurrency", "4", "--visibility-timeout", "5"}));

  ServerSlot slot;
  KeyBook book;
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  auto run_client = [&](int c) {
    for (int i = 0; !stop; ++i) {
      const std::string key = "c" + std::to_string(c) + "-" + std::to_string(i);
      auto [url, generation] = slot.Get();
      HttpResult r = SubmitKeyed(url, key);
      if (r.status == 202) {
        book.Tried(key, Json::parse(r.body)["id"].get<std::string>());
        continue;
      }
      book.Tried(key, std::nullopt);
      // The server is gone (or refused): wait for the next one.
      while (!stop && slot.generation() == generation) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    }
  };

  Server server;
  for (int round = 0; round <= kKills; ++round) {
    ASSERT_TRUE(StartServe(dir, &server, {"--workers", "0"})) << "round " << round;
    slot.Set(server.base_url);
    if (round == 0) {
      for (int c = 0; c < kClients; ++c) clients.emplace_back(run_client, c);
    }
    if (round == kKills) break;
    const size_t target = book.accepted() + kAcceptedPerRound;
    const bool progressed = WaitUntil([&] { return book.accepted() >= target; }, 60s, 1ms);
    ExitStatus killed = server.process->Kill();
    if (!progressed || killed.exited) {
      stop = true;
      for (auto& t : clients) t.join();
      FAIL() << "round " << round << ": " << book.accepted() << " accepted; serve "
             << (killed.exited ? "had exited" : "was killed") << "; stderr:\n"
             << server.process->Stderr();
    }
  }
  stop = true;
  for (auto& t : clients) t.join();

  // Every key once more, against the last server.
  std::set<std::string> job_ids;
  size_t replayed = 0;
  for (const auto& [key, first_id] : book.Snapshot()) {
    HttpResult r = SubmitKeyed(server.base_url, key);
    ASSERT_EQ(r.status, 202) << key << ": " << r.body;
    const std::string id = Json::parse(r.body)["id"];
    if (first_id) {
      EXPECT_EQ(id, *first_id) << "key " << key << " changed jobs across a crash";
    }
    replayed += r.Header("idempotent-replayed") == "true";
    job_ids.insert(id);
  }
  ASSERT_GE(job_ids.size(), kKills * kAcceptedPerRound);
  ASSERT_GE(replayed, kKills * kAcceptedPerRound);  // the accepted ones at least are replays

  // Once the queue is empty nothing more will run: whatever is not succeeded then never will.
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto q = QueueState(QueuePath(dir));
        return q && q->visible == 0 && q->in_flight == 0 && q->delayed == 0;
      },
      90s, 50ms))
      << worker->Stderr();
  std::map<std::string, std::string> last_status;
  const bool all_done = WaitUntil(
      [&] {
        for (const auto& id : job_ids) {
          if (last_status[id] == "succeeded") continue;
          HttpResult r = Http("GET", server.base_url + "/jobs/" + id);
          if (r.status != 200) return false;
          last_status[id] = Json::parse(r.body)["status"];
          if (last_status[id] != "succeeded") return false;
        }
        return true;
      },
      10s, 100ms);
  if (!all_done) {
    std::string stuck;
    for (const auto& [id, status] : last_status) {
      if (status != "succeeded") stuck += id + " " + status + "\n";
    }
    FAIL() << "jobs accepted with a 202 that did not succeed:\n"
           << stuck << "worker stderr:\n"
           << worker->Stderr();
  }
  for (const auto& id : job_ids) {
    HttpResult r = Http("GET", server.base_url + "/jobs/" + id);
    ASSERT_EQ(r.status, 200);
    const fs::path file = dir.path() / "images" / Json::parse(r.body)["key"].get<std::string>();
    EXPECT_TRUE(DecodePng(ReadFile(file)).has_value()) << file;
  }
  EXPECT_EQ(PngFilesUnder(from_queue).size(), job_ids.size());
  EXPECT_TRUE(DeadLetters(QueuePath(dir)).empty());
  worker->Signal(SIGTERM);
  EXPECT_TRUE(worker->Wait(20s).has_value());
}

}  // namespace
}  // namespace pictor::integration
