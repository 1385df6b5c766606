// Spend budgets end to end: the price table's override in the configuration, the global budget
// exact across processes on one SQLite file, the paused worker, `pictor spend`, and bad
// settings refused at start.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "harness.h"

namespace pictor::integration {
namespace {

using Json = nlohmann::json;

// Builtin images at 1 USD each: budgets can be spent without a paid model.
std::string WritePricedConfig(const TempDir& dir) {
  const std::string path = dir / "pictor.toml";
  std::ofstream(path) << "[prices]\nbuiltin = 1\n";
  return path;
}

TEST(SpendE2eTest, AGlobalBudgetOfThreeImagesAllowsExactlyThreeAcrossTwoServers) {
  ASSERT_FALSE(PictorBinary().empty()) << "PICTOR_BIN is not set";
  TempDir dir;
  const std::string config = WritePricedConfig(dir);
  const std::vector<std::string> args = {"--config", config,      "--budget",
                                         "3usd/day", "--workers", "0"};
  Server a, b;
  ASSERT_TRUE(StartServe(dir, &a, args));
  ASSERT_TRUE(StartServe(dir, &b, args));
  ASSERT_EQ(Http("GET", a.base_url + "/healthz").status, 200);  // libcurl set up once

  constexpr int kPerServer = 8;
  std::mutex mu;  // guards statuses and refusals
  std::vector<long> statuses;
  std::vector<Json> refusals;
  std::vector<std::thread> clients;
  std::atomic<int> ready{0};
  for (const Server* s : {&a, &b}) {
    for (int i = 0; i < kPerServer; ++i) {
      clients.emplace_back([&, url = s->base_url, i] {
        ++ready;
        while (ready.load() < 2 * kPerServer) std::this_thread::yield();
        HttpResult r = Http("POST", url + "/generate-image",
                            R"({"prompt": "a red fox", "width": 64, "height": 64, "seed": )" +
                                std::to_string(i) + "}");
        std::lock_guard lock(mu);
        statuses.push_back(r.status);
        if (r.status == 429) refusals.push_back(Json::parse(r.body, nullptr, false));
      });
    }
  }
  for (auto& t : clients) t.join();

  int ok = 0;
  for (long status : statuses) {
    if (status == 200) ++ok;
    EXPECT_TRUE(status == 200 || status == 429) << status;
  }
  EXPECT_EQ(ok, 3);
  ASSERT_EQ(refusals.size(), statuses.size() - 3);
  for (const Json& refusal : refusals) {
    ASSERT_TRUE(refusal.is_object());
    EXPECT_EQ(refusal.value("error", ""), "budget_exhausted") << refusal.dump();
    EXPECT_NE(refusal.value("message", "").find("the global budget of 3 USD per day"),
              std::string::npos)
        << refusal.dump();
  }
  EXPECT_EQ(PngFilesUnder(dir.path() / "images").size(), 3u);

  RunResult spend = RunPictor(dir, {"spend", "--queue", QueueSpec(dir), "--by", "model"});
  ASSERT_EQ(spend.code(), 0) << spend.err;
  EXPECT_NE(spend.out.find("builtin            3  3\n"), std::string::npos) << spend.out;
  EXPECT_NE(spend.out.find("total              3  3\n"), std::string::npos) << spend.out;
  if (HasFailure()) std::cerr << a.process->Stderr() << b.process->Stderr();
}

TEST(SpendE2eTest, AWorkerStopsReceivingWhileTheGlobalBudgetIsSpent) {
  ASSERT_FALSE(PictorBinary().empty()) << "PICTOR_BIN is not set";
  TempDir dir;
  const std::string config = WritePricedConfig(dir);
  Server server;
  ASSERT_TRUE(
      StartServe(dir, &server, {"--config", config, "--budget", "1usd/day", "--workers", "0"}));
  ASSERT_EQ(Http("POST", server.base_url + "/generate-image", R"({"prompt": "a fox"})").status,
            200);
  // The API refuses to queue what the budget cannot pay for...
  HttpResult refused = Http("POST", server.base_url + "/jobs", R"({"prompt": "a second fox"})");
  EXPECT_EQ(refused.status, 429) << refused.body;
  EXPECT_NE(refused.body.find("budget_exhausted"), std::string::npos) << refused.body;
  // ...but a message sent straight to the queue waits there for the reset.
  RunResult sent = RunPictor(dir, {"send", "--queue", QueueSpec(dir), "a second fox"});
  ASSERT_EQ(sent.code(), 0) << sent.err;

  std::unique_ptr<Process> worker;
  ASSERT_TRUE(StartWorker(dir, &worker, {"--config", config, "--budget", "1usd/day"}));
  ASSERT_TRUE(WaitUntil(
      [&] { return worker->Stderr().find("not receiving jobs") != std::string::npos; }, 30s))
      << worker->Stderr();
  EXPECT_NE(worker->Stderr().find("the global budget of 1 USD per day is spent"), std::string::npos)
      << worker->Stderr();
  auto state = QueueState(QueuePath(dir));
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->visible, 1);  // waiting in the queue, not taken
  EXPECT_EQ(state->in_flight, 0);
  EXPECT_EQ(PngFilesUnder(dir.path() / "images").size(), 1u);
}

TEST(SpendE2eTest, BadBudgetsAndPricesAreRefusedAtStartNamingWhatIsWrong) {
  ASSERT_FALSE(PictorBinary().empty()) << "PICTOR_BIN is not set";
  TempDir dir;
  const std::string bad_price = dir / "bad-price.toml";
  std::ofstream(bad_price) << "[prices]\nbuiltin = -1\n";
  const std::string bad_toml = dir / "bad.toml";
  std::ofstream(bad_toml) << "budgets = [\n";
  const std::string bad_budgets = dir / "bad-budgets.toml";
  std::ofstream(bad_budgets) << "budgets = [\"5usd/week\"]\n";
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"--budget", "5usd/week"}, "budget '5usd/week' is not valid"},
      {{"--budget", "0usd/day"}, "budget '0usd/day' is not valid"},
      {{"--config", bad_price}, "must be a number of US dollars from 0 to 1000"},
      {{"--config", bad_toml}, "bad.toml"},
      {{"--config", bad_budgets}, "budget '5usd/week' is not valid"},
      {{"--config", dir / "missing.toml"}, "missing.toml"},
      {{"--budget", "5usd/day", "--jobs", "none"}, "a budget needs a job ledger"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"worker", "--queue", QueueSpec(dir), "--store",
                                     StoreSpec(dir)};
    args.insert(args.end(), c.args.begin(), c.args.end());
    RunResult r = RunPictor(dir, args, {}, 30s);
    EXPECT_EQ(r.code(), 2) << c.says << "\n" << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
  }
  RunResult r = RunPictor(dir, {"spend", "--queue", QueueSpec(dir), "--since", "2026-02-30"});
  EXPECT_EQ(r.code(), 2);
  EXPECT_NE(r.err.find("is not a day such as 2026-03-10"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace pictor::integration
