// The Prometheus page end to end: `pictor serve` with the alarm on, and `pictor worker
// --metrics-listen` on its own, answer GET /metrics with a page that `promtool check metrics`
// (Debian package prometheus) accepts and that covers HTTP requests, jobs, generation and store
// latency, the queue and the alarm.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "integration/harness.h"

namespace pictor::integration {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPromtool = "/usr/bin/promtool";

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The sum of the samples of `name` whose labels include every one of `labels` (others may be
// present, in any order); -1 when there is none.
double Sample(const std::string& page, const std::string& name,
              const std::vector<std::pair<std::string, std::string>>& labels = {}) {
  std::istringstream lines(page);
  std::string line;
  double sum = 0;
  bool found = false;
  while (std::getline(lines, line)) {
    if (line.rfind(name, 0) != 0 || line.size() <= name.size()) continue;
    const char next = line[name.size()];
    if (next != ' ' && next != '{') continue;
    const size_t space = line.rfind(' ');
    const std::string series = line.substr(0, space);
    bool all = true;
    for (const auto& [k, v] : labels) all = all && Has(series, k + "=\"" + v + "\"");
    if (!all) continue;
    sum += std::stod(line.substr(space + 1));
    found = true;
  }
  return found ? sum : -1;
}

// Runs `promtool check metrics` on `page`; its output, and whether it passed.
testing::AssertionResult PromtoolAccepts(const TempDir& dir, const std::string& page) {
  if (!fs::exists(kPromtool)) {
    return testing::AssertionFailure() << kPromtool << " is missing: apt-get install prometheus";
  }
  const std::string file = dir / "metrics.txt";
  std::ofstream(file) << page;
  std::string error;
  auto p =
      Process::Spawn({"/bin/sh", "-c", std::string(kPromtool) + " check metrics < '" + file + "'"},
                     {}, dir.path(), dir.path(), &error);
  if (!p) return testing::AssertionFailure() << error;
  auto status = p->Wait(30s);
  if (!status) return testing::AssertionFailure() << "promtool did not finish";
  if (!status->exited || status->code != 0) {
    return testing::AssertionFailure() << "promtool check metrics failed:\n"
                                       << p->Stdout() << p->Stderr() << "\npage:\n"
                                       << page;
  }
  return testing::AssertionSuccess();
}

// The number of series of `name` on `page`.
size_t SeriesCount(const std::string& page, const std::string& name) {
  std::istringstream lines(page);
  std::string line;
  size_t count = 0;
  while (std::getline(lines, line)) count += line.rfind(name + "{", 0) == 0 ? 1 : 0;
  return count;
}

// Sends `n` requests with made-up methods and paths (numbered from `first`) to `base`, and checks
// each got an answer.
void SendMadeUpRequests(const std::string& base, int first, int n) {
  for (int i = first; i < first + n; ++i) {
    const std::string tag = std::to_string(i);
    ASSERT_EQ(Http("X" + tag, base + "/metrics").status, 405) << i;
    ASSERT_EQ(Http("GET", base + "/made/up/" + tag).status, 404) << i;
  }
}

// What a client could make a server keep: the series and the size of the /metrics page after
// `n` more requests with made-up methods and paths, beside the same before them.
void ExpectMadeUpRequestsLeaveThePageBounded(const std::string& base) {
  SendMadeUpRequests(base, 0, 10);
  ASSERT_EQ(Http("GET", base + "/metrics").status, 200);  // a page read counts in the next page
  const std::string before = Http("GET", base + "/metrics").body;
  SendMadeUpRequests(base, 10, 300);
  const std::string after = Http("GET", base + "/metrics").body;
  EXPECT_EQ(SeriesCount(after, "pictor_http_requests_total"),
            SeriesCount(before, "pictor_http_requests_total"))
      << after;
  EXPECT_LT(after.size(), before.size() + 2048) << after;  // 600 series would be ~50 KB
  EXPECT_FALSE(Has(after, "/made/up")) << after;
  EXPECT_GE(Sample(after, "pictor_http_requests_total",
                   {{"route", "/metrics"}, {"method", "other"}, {"status", "405"}}),
            310)
      << after;
  EXPECT_GE(Sample(after, "pictor_http_requests_total",
                   {{"route", "unmatched"}, {"method", "GET"}, {"status", "404"}}),
            310)
      << after;
}

// Polls GET url until `ready(page)` holds; the last page read.
std::string AwaitPage(const std::string& url, const std::function<bool(const std::string&)>& ready,
                      std::chrono::milliseconds timeout = 60s) {
  std::string page;
  WaitUntil(
      [&] {
        HttpResult r = Http("GET", url);
        page = r.body;
        return r.status == 200 && ready(page);
      },
      timeout, 50ms);
  return page;
}

TEST(ServeMetricsTest, PagePassesPromtoolAndCoversRequestsJobsLatencyQueueAndAlarm) {
  ASSERT_FALSE(PictorBinary().empty()) << "PICTOR_BIN is not set";
  TempDir dir;
  Server server;
  ASSERT_TRUE(StartServe(dir, &server, {"--workers", "1", "--alarm", "--period", "1"}));
  for (int i = 0; i < 2; ++i) {
    HttpResult r = Http("POST", server.base_url + "/jobs",
                        R"({"prompt": "an owl on a fence post )" + std::to_string(i) + "\"}");
    ASSERT_EQ(r.status, 202) << r.body;
  }
  ASSERT_EQ(Http("GET", server.base_url + "/healthz").status, 200);
  ASSERT_EQ(Http("GET", server.base_url + "/no/such/route").status, 404);
  // A message no worker can parse: received, failed and dead-lettered at once.
  ASSERT_EQ(SendToQueue(QueuePath(dir), {R"({"prompt": 5})"}).size(), 1u);

  const std::string url = server.base_url + "/metrics";
  std::string page = AwaitPage(url, [](const std::string& p) {
    return Sample(p, "pictor_jobs_total", {{"outcome", "succeeded"}}) >= 2 &&
           Sample(p, "pictor_jobs_total", {{"outcome", "dead_lettered"}}) >= 1 &&
           Has(p, "pictor_alarm_state{");
  });
  ASSERT_TRUE(PromtoolAccepts(dir, page));

  EXPECT_EQ(Sample(page, "pictor_http_requests_total", {{"route", "/jobs"}, {"status", "202"}}), 2)
      << page;
  EXPECT_EQ(Sample(page, "pictor_http_requests_total", {{"route", "/healthz"}, {"status", "200"}}),
            1)
      << page;
  EXPECT_EQ(Sample(page, "pictor_http_requests_total", {{"route", "unmatched"}, {"status", "404"}}),
            1)
      << page;
  EXPECT_EQ(Sample(page, "pictor_jobs_submitted_total"), 2) << page;
  EXPECT_EQ(Sample(page, "pictor_jobs_received_total"), 3) << page;
  EXPECT_EQ(Sample(page, "pictor_jobs_total", {{"outcome", "succeeded"}}), 2) << page;
  EXPECT_EQ(Sample(page, "pictor_jobs_failed_total"), 1) << page;
  EXPECT_EQ(Sample(page, "pictor_jobs_total", {{"outcome", "dead_lettered"}}), 1) << page;
  EXPECT_EQ(Sample(page, "pictor_generation_seconds_count", {{"model", "builtin"}}), 2) << page;
  EXPECT_EQ(Sample(page, "pictor_store_seconds_count"), 2) << page;
  EXPECT_GE(Sample(page, "pictor_queue_messages", {{"queue", "queue.db"}, {"state", "visible"}}), 0)
      << page;
  EXPECT_GE(Sample(page, "pictor_queue_messages", {{"queue", "queue.db"}, {"state", "in_flight"}}),
            0)
      << page;
  EXPECT_GE(Sample(page, "pictor_queue_oldest_message_age_seconds", {{"queue", "queue.db"}}), 0)
      << page;
  // 0 OK, 1 ALARM, 2 INSUFFICIENT_DATA: never ALARM for a queue that is drained in well under
  // the 60 s default threshold.
  const double state = Sample(page, "pictor_alarm_state", {{"alarm", "pictor-queue-age"}});
  EXPECT_TRUE(state == 0 || state == 2) << page;
}

TEST(ServeMetricsTest, MadeUpMethodsAndPathsLeaveThePageBounded) {
  ASSERT_FALSE(PictorBinary().empty()) << "PICTOR_BIN is not set";
  TempDir dir;
  Server server;
  ASSERT_TRUE(StartServe(dir, &server, {"--workers", "0"}));
  ExpectMadeUpRequestsLeaveThePageBounded(server.base_url);
}

// The bound address of `pictor worker --metrics-listen 127.0.0.1:0`, from its stdout.
std::string WorkerMetricsBase(Process& worker) {
  std::string base;
  const std::regex line(R"(metrics on (http://127\.0\.0\.1:[0-9]+)/metrics)");
  WaitUntil(
      [&] {
        std::smatch m;
        const std::string out = worker.Stdout();
        if (std::regex_search(out, m, line)) base = m[1];
        return !base.empty() || !worker.Running();
      },
      30s);
  return base;
}

TEST(WorkerMetricsTest, MetricsListenServesThePageWithJobsAndQueueGauges) {
  ASSERT_FALSE(PictorBinary().empty()) << "PICTOR_BIN is not set";
  TempDir dir;
  ASSERT_EQ(SendToQueue(QueuePath(dir), {"a lantern in the fog", R"({"prompt": 5})"}).size(), 2u);
  std::unique_ptr<Process> worker;
  ASSERT_TRUE(StartWorker(dir, &worker, {"--metrics-listen", "127.0.0.1:0"}));
  const std::string base = WorkerMetricsBase(*worker);
  ASSERT_FALSE(base.empty()) << worker->Stdout() << worker->Stderr();

  // The queue gauges come from a periodic sample, the job counters as jobs end, the store's
  // latency just before the success is counted: wait for all of them.
  std::string page = AwaitPage(base + "/metrics", [](const std::string& p) {
    return Sample(p, "pictor_jobs_total", {{"outcome", "succeeded"}}) >= 1 &&
           Sample(p, "pictor_jobs_total", {{"outcome", "dead_lettered"}}) >= 1 &&
           Sample(p, "pictor_store_seconds_count") >= 1 && Has(p, "pictor_queue_up{") &&
           Has(p, "pictor_queue_oldest_message_age_seconds{");
  });
  ASSERT_TRUE(PromtoolAccepts(dir, page));
  EXPECT_EQ(Sample(page, "pictor_jobs_received_total"), 2) << page;
  EXPECT_EQ(Sample(page, "pictor_jobs_failed_total"), 1) << page;
  EXPECT_EQ(Sample(page, "pictor_generation_seconds_count", {{"model", "builtin"}}), 1) << page;
  EXPECT_EQ(Sample(page, "pictor_store_seconds_count"), 1) << page;
  EXPECT_EQ(Sample(page, "pictor_queue_up", {{"queue", "queue.db"}}), 1) << page;
  EXPECT_GE(Sample(page, "pictor_queue_messages", {{"queue", "queue.db"}, {"state", "visible"}}), 0)
      << page;
  EXPECT_GE(Sample(page, "pictor_queue_oldest_message_age_seconds", {{"queue", "queue.db"}}), 0)
      << page;
  // The page counts its own earlier reads: a read after the one above counts that one (the page
  // above may have been the first read, if every job had ended before the first poll).
  const std::string again = AwaitPage(base + "/metrics", [](const std::string&) { return true; });
  EXPECT_GE(Sample(again, "pictor_http_requests_total", {{"route", "/metrics"}, {"status", "200"}}),
            1)
      << again;
}

TEST(WorkerMetricsTest, MetricsListenAnswersHealthzAndRefusesEverythingElse) {
  ASSERT_FALSE(PictorBinary().empty()) << "PICTOR_BIN is not set";
  TempDir dir;
  std::unique_ptr<Process> worker;
  ASSERT_TRUE(StartWorker(dir, &worker, {"--metrics-listen", "127.0.0.1:0"}));
  const std::string base = WorkerMetricsBase(*worker);
  ASSERT_FALSE(base.empty()) << worker->Stdout() << worker->Stderr();
  HttpResult health = Http("GET", base + "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, R"({"status":"ok"})");
  EXPECT_EQ(Http("GET", base + "/jobs").status, 404);
  HttpResult post = Http("POST", base + "/metrics", "{}");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.Header("allow"), "GET, HEAD");
}

TEST(WorkerMetricsTest, MadeUpMethodsAndPathsLeaveThePageBounded) {
  ASSERT_FALSE(PictorBinary().empty()) << "PICTOR_BIN is not set";
  TempDir dir;
  std::unique_ptr<Process> worker;
  ASSERT_TRUE(StartWorker(dir, &worker, {"--metrics-listen", "127.0.0.1:0"}));
  const std::string base = WorkerMetricsBase(*worker);
  ASSERT_FALSE(base.empty()) << worker->Stdout() << worker->Stderr();
  ExpectMadeUpRequestsLeaveThePageBounded(base);
}

TEST(WorkerMetricsTest, AMalformedMetricsListenIsAUsageError) {
  ASSERT_FALSE(PictorBinary().empty()) << "PICTOR_BIN is not set";
  TempDir dir;
  RunResult r = RunPictor(dir, {"worker", "--queue", QueueSpec(dir), "--store", StoreSpec(dir),
                                "--metrics-listen", "localhost"});
  EXPECT_EQ(r.code(), 2) << r.err;
  EXPECT_TRUE(Has(r.err, "--metrics-listen 'localhost' must look like HOST:PORT")) << r.err;
}

}  // namespace
}  // namespace pictor::integration
