// Signals of the long-running commands: SIGHUP neither kills `pictor serve` nor `pictor worker`
// (it is logged and ignored), and both still stop cleanly on SIGTERM afterwards.
#include <gtest/gtest.h>

#include <csignal>
#include <regex>
#include <string>

#include "harness.h"

namespace pictor::integration {
namespace {

// Waits until the process logs that it ignored a SIGHUP; false when it exits first.
bool AwaitHupLogged(Process& process) {
  WaitUntil(
      [&] {
        return process.Stderr().find("SIGHUP received and ignored") != std::string::npos ||
               !process.Running();
      },
      30s);
  return process.Running() &&
         process.Stderr().find("SIGHUP received and ignored") != std::string::npos;
}

void ExpectCleanStopOnSigterm(Process& process) {
  process.Signal(SIGTERM);
  auto exit = process.Wait(30s);
  ASSERT_TRUE(exit.has_value()) << "still running 30 s after SIGTERM";
  EXPECT_TRUE(exit->exited) << "killed by signal " << exit->signal;
  EXPECT_EQ(exit->code, 0) << process.Stderr();
}

TEST(ServeSignalsTest, SighupIsIgnoredAndServeKeepsAnsweringThenStopsOnSigterm) {
  ASSERT_FALSE(PictorBinary().empty()) << "PICTOR_BIN is not set";
  TempDir dir;
  Server server;
  ASSERT_TRUE(StartServe(dir, &server));
  ASSERT_EQ(Http("GET", server.base_url + "/healthz").status, 200);
  for (int i = 0; i < 2; ++i) {
    server.process->Signal(SIGHUP);
    ASSERT_TRUE(AwaitHupLogged(*server.process)) << server.process->Stderr();
  }
  HttpResult r = Http("POST", server.base_url + "/jobs", R"({"prompt": "a hut in the hills"})");
  EXPECT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(Http("GET", server.base_url + "/healthz").status, 200);
  ExpectCleanStopOnSigterm(*server.process);
}

TEST(ServeSignalsTest, SighupIsIgnoredAndWorkerKeepsAnsweringThenStopsOnSigterm) {
  ASSERT_FALSE(PictorBinary().empty()) << "PICTOR_BIN is not set";
  TempDir dir;
  std::unique_ptr<Process> worker;
  ASSERT_TRUE(StartWorker(dir, &worker, {"--metrics-listen", "127.0.0.1:0"}));
  std::string base;
  const std::regex line(R"(metrics on (http://127\.0\.0\.1:[0-9]+)/metrics)");
  WaitUntil(
      [&] {
        std::smatch m;
        const std::string out = worker->Stdout();
        if (std::regex_search(out, m, line)) base = m[1];
        return !base.empty() || !worker->Running();
      },
      30s);
  ASSERT_FALSE(base.empty()) << worker->Stdout() << worker->Stderr();
  worker->Signal(SIGHUP);
  ASSERT_TRUE(AwaitHupLogged(*worker)) << worker->Stderr();
  EXPECT_EQ(Http("GET", base + "/healthz").status, 200);
  ExpectCleanStopOnSigterm(*worker);
}

}  // namespace
}  // namespace pictor::integration
