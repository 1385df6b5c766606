// `pictor serve` end to end over real HTTP: images now (POST /generate-image), jobs through the
// queue (POST /jobs, GET /jobs/{id}), image downloads, health, metrics, server settings, and a
// clean exit on SIGTERM. Bad input is in serve_input_test.cc.
#include <gtest/gtest.h>
#include <signal.h>

#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"
#include "serve_fixture.h"

namespace pictor::integration {
namespace {

namespace fs = std::filesystem;

TEST_F(ServeTest, GenerateImageAnswersWithKeyUrlSeedAndDefaultSize) {
  HttpResult r = Post("/generate-image", R"({"prompt": "a lighthouse in a storm"})");
  ASSERT_EQ(r.status, 200) << r.error << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/json");
  Json j = ParseJson(r);
  EXPECT_EQ(j["message"], "Image generated successfully");
  ASSERT_TRUE(j["key"].is_string());
  const std::string key = j["key"];
  EXPECT_EQ(key.rfind("generated_images/builtin_", 0), 0u) << key;
  EXPECT_EQ(key.find("from_queue"), std::string::npos) << key;
  EXPECT_TRUE(j["seed"].is_number_unsigned());
  // Built with append: g++ 12 -O3 warns falsely (-Wrestrict) on "_" + std::to_string(...).
  std::string seed_part = "_";
  seed_part.append(std::to_string(j["seed"].get<uint32_t>())).append("_");
  EXPECT_NE(key.find(seed_part), std::string::npos) << key;
  EXPECT_EQ(j["width"], 1024);
  EXPECT_EQ(j["height"], 1024);
  EXPECT_EQ(j["url"], server_.base_url + "/images/" + key);

  auto png = DecodePng(ReadFile(StoredPath(key)));
  ASSERT_TRUE(png.has_value()) << "no valid PNG at " << StoredPath(key);
  EXPECT_EQ(png->width, 1024u);
  EXPECT_EQ(png->height, 1024u);
}

TEST_F(ServeTest, ImageUrlServesTheStoredBytesWithAnEtag) {
  HttpResult made = Post("/generate-image", R"({"prompt": "a red kite", "width": 128})");
  ASSERT_EQ(made.status, 200) << made.body;
  Json j = ParseJson(made);
  HttpResult image = Http("GET", j["url"]);
  ASSERT_EQ(image.status, 200) << image.error;
  EXPECT_EQ(image.Header("content-type"), "image/png");
  EXPECT_EQ(image.body, ReadFile(StoredPath(j["key"])));
  const std::string etag = image.Header("etag");
  ASSERT_FALSE(etag.empty());

  HttpResult again = Http("GET", j["url"], {}, {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  HttpResult other = Http("GET", j["url"], {}, {{"If-None-Match", "\"something-else\""}});
  EXPECT_EQ(other.status, 200);
}

TEST_F(ServeTest, SamePromptAndSeedGiveIdenticalBytesUnderTwoKeys) {
  const std::string body = R"({"prompt": "two owls on a branch", "seed": 1234, "width": 256,
                               "height": 192})";
  HttpResult a = Post("/generate-image", body);
  HttpResult b = Post("/generate-image", body);
  ASSERT_EQ(a.status, 200) << a.body;
  ASSERT_EQ(b.status, 200) << b.body;
  Json ja = ParseJson(a), jb = ParseJson(b);
  EXPECT_EQ(ja["seed"], 1234);
  EXPECT_NE(ja["key"], jb["key"]);
  std::string bytes_a = ReadFile(StoredPath(ja["key"]));
  auto png = DecodePng(bytes_a);
  ASSERT_TRUE(png.has_value());
  EXPECT_EQ(png->width, 256u);
  EXPECT_EQ(png->height, 192u);
  EXPECT_EQ(bytes_a, ReadFile(StoredPath(jb["key"])));
}

TEST_F(ServeTest, SubmittedJobIsQueuedThenSucceedsWithAFromQueueKey) {
  HttpResult r = Post("/jobs", R"({"prompt": "a magical salmon going to the moon"})");
  ASSERT_EQ(r.status, 202) << r.body;
  Json j = ParseJson(r);
  ASSERT_TRUE(j["id"].is_string());
  const std::string id = j["id"];
  EXPECT_EQ(j["status"], "queued");
  EXPECT_EQ(j["status_url"], server_.base_url + "/jobs/" + id);
  EXPECT_EQ(r.Header("location"), j["status_url"]);

  Json job = AwaitJob(id);
  ASSERT_EQ(job["status"], "succeeded") << job.dump();
  EXPECT_EQ(job["attempts"], 1);
  EXPECT_EQ(job["width"], 512);
  EXPECT_EQ(job["height"], 512);
  EXPECT_TRUE(job["error"].is_null());
  const std::string key = job["key"];
  EXPECT_EQ(key.rfind("generated_images/from_queue/builtin_", 0), 0u) << key;
  EXPECT_NE(key.find(id), std::string::npos) << key;
  EXPECT_EQ(job["url"], server_.base_url + "/images/" + key);

  HttpResult image = Http("GET", job["url"]);
  ASSERT_EQ(image.status, 200);
  auto png = DecodePng(image.body);
  ASSERT_TRUE(png.has_value());
  EXPECT_EQ(png->width, 512u);
  EXPECT_EQ(png->height, 512u);
}

TEST_F(ServeTest, IdempotencyKeyReplaysTheFirstJobAndStoresOneImage) {
  const std::string body = R"({"prompt": "a quiet harbour", "width": 64, "height": 64})";
  HttpResult first = Post("/jobs", body, {{"Idempotency-Key", "order-77"}});
  ASSERT_EQ(first.status, 202) << first.body;
  EXPECT_TRUE(first.Header("idempotent-replayed").empty());
  const std::string id = ParseJson(first)["id"];
  ASSERT_EQ(AwaitJob(id)["status"], "succeeded");

  HttpResult second = Post("/jobs", body, {{"Idempotency-Key", "order-77"}});
  ASSERT_EQ(second.status, 202) << second.body;
  EXPECT_EQ(ParseJson(second)["id"], id);
  EXPECT_EQ(second.Header("idempotent-replayed"), "true");
  EXPECT_EQ(second.Header("location"), server_.base_url + "/jobs/" + id);

  // Nothing new was queued: once the queue is drained there is still exactly one image.
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto q = QueueState(QueuePath(dir_));
        return q && q->visible == 0 && q->in_flight == 0;
      },
      30s));
  EXPECT_EQ(PngFilesUnder(dir_.path() / "images").size(), 1u);
}

TEST_F(ServeTest, IdempotencyKeyReusedForAnotherBodyIsRefused) {
  HttpResult first =
      Post("/jobs", R"({"prompt": "a quiet harbour"})", {{"Idempotency-Key", "order-78"}});
  ASSERT_EQ(first.status, 202) << first.body;
  HttpResult other =
      Post("/jobs", R"({"prompt": "a busy harbour"})", {{"Idempotency-Key", "order-78"}});
  EXPECT_EQ(other.status, 422) << other.body;
  EXPECT_EQ(ParseJson(other)["error"], "idempotency_key_reused");
}

TEST_F(ServeTest, UnknownJobIsNotFound) {
  HttpResult r = Get("/jobs/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(ParseJson(r)["error"], "job_not_found");
}

TEST_F(ServeTest, MissingImageIsNotFound) {
  HttpResult r = Get("/images/missing.png");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(ParseJson(r)["error"], "image_not_found");
}

TEST_F(ServeTest, ImagePathOutsideTheStoreIsRefused) {
  HttpResult r = Get("/images/..%2F..%2Fetc%2Fpasswd");
  EXPECT_GE(r.status, 400);
  EXPECT_LT(r.status, 500);
  EXPECT_EQ(r.body.find("root:"), std::string::npos);
}

TEST_F(ServeTest, HealthAndReadinessAnswer200) {
  HttpResult health = Get("/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(ParseJson(health)["status"], "ok");
  HttpResult ready = Get("/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ParseJson(ready)["status"], "ready");
}

// True when some line of the Prometheus text starts with `name` and contains every fragment.
bool HasSeries(const std::string& text, const std::string& name,
               const std::vector<std::string>& fragments) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(name, 0) != 0) continue;
    bool all = true;
    for (const auto& f : fragments) all = all && line.find(f) != std::string::npos;
    if (all) return true;
  }
  return false;
}

TEST_F(ServeTest, MetricsCountRequestsJobsGenerationAndQueue) {
  ASSERT_EQ(Post("/generate-image", R"({"prompt": "a fern", "width": 64, "height": 64})").status,
            200);
  ASSERT_EQ(Post("/generate-image", R"({"prompt": ""})").status, 400);
  HttpResult job = Post("/jobs", R"({"prompt": "a moss", "width": 64, "height": 64})");
  ASSERT_EQ(job.status, 202);
  ASSERT_EQ(AwaitJob(ParseJson(job)["id"])["status"], "succeeded");

  HttpResult r = Get("/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-type").rfind("text/plain", 0), 0u);
  const std::string& m = r.body;
  EXPECT_TRUE(
      HasSeries(m, "pictor_http_requests_total{", {"route=\"/generate-image\"", "status=\"200\""}))
      << m;
  EXPECT_TRUE(
      HasSeries(m, "pictor_http_requests_total{", {"route=\"/generate-image\"", "status=\"400\""}))
      << m;
  EXPECT_TRUE(HasSeries(m, "pictor_http_requests_total{", {"route=\"/jobs\"", "status=\"202\""}))
      << m;
  EXPECT_TRUE(HasSeries(m, "pictor_jobs_total{", {"outcome=\"succeeded\"", "} 1"})) << m;
  EXPECT_TRUE(HasSeries(m, "pictor_generation_seconds_count{", {"model=\"builtin\""})) << m;
  EXPECT_TRUE(HasSeries(m, "pictor_generation_seconds_bucket{", {"le=\"+Inf\""})) << m;
  EXPECT_TRUE(HasSeries(m, "pictor_queue_messages{", {"state=\"visible\""})) << m;
  EXPECT_TRUE(HasSeries(m, "pictor_queue_messages{", {"state=\"in_flight\""})) << m;
  EXPECT_TRUE(HasSeries(m, "pictor_queue_oldest_message_age_seconds", {})) << m;
}

TEST_F(ServeTest, SigtermStopsTheServerWithExitZero) {
  ASSERT_EQ(Get("/healthz").status, 200);
  server_.process->Signal(SIGTERM);
  auto exit = server_.process->Wait(10s);
  ASSERT_TRUE(exit.has_value()) << "pictor serve still running 10 s after SIGTERM";
  EXPECT_TRUE(exit->exited) << "killed by signal " << exit->signal;
  EXPECT_EQ(exit->code, 0) << server_.process->Stderr();
}

TEST_F(ServeTest, SigintStopsTheServerWithExitZero) {
  server_.process->Signal(SIGINT);
  auto exit = server_.process->Wait(10s);
  ASSERT_TRUE(exit.has_value()) << "pictor serve still running 10 s after SIGINT";
  EXPECT_TRUE(exit->exited && exit->code == 0) << server_.process->Stderr();
}

// A server started with KEY_PREFIX stores and serves under that prefix.
TEST(ServeSettingsTest, KeyPrefixFromTheEnvironmentPrefixesEveryKey) {
  TempDir dir;
  Server server;
  ASSERT_TRUE(StartServe(dir, &server, {}, {{"KEY_PREFIX", "cand/"}}));
  HttpResult r = Http("POST", server.base_url + "/generate-image",
                      R"({"prompt": "a prefixed owl", "width": 64, "height": 64})");
  ASSERT_EQ(r.status, 200) << r.body;
  Json j = ParseJson(r);
  const std::string key = j["key"];
  EXPECT_EQ(key.rfind("cand/generated_images/builtin_", 0), 0u) << key;
  EXPECT_TRUE(fs::exists(dir.path() / "images" / key));
  EXPECT_EQ(Http("GET", j["url"]).status, 200);
}

TEST(ServeSettingsTest, JobStaysQueuedWithoutWorkers) {
  TempDir dir;
  Server server;
  ASSERT_TRUE(StartServe(dir, &server, {"--workers", "0"}));
  HttpResult r =
      Http("POST", server.base_url + "/jobs", R"({"prompt": "a patient job", "seed": 77})");
  ASSERT_EQ(r.status, 202) << r.body;
  const std::string id = ParseJson(r)["id"];
  HttpResult got = Http("GET", server.base_url + "/jobs/" + id);
  ASSERT_EQ(got.status, 200) << got.body;
  Json job = ParseJson(got);
  EXPECT_EQ(job["status"], "queued");
  EXPECT_EQ(job["seed"], 77);
  EXPECT_EQ(job["attempts"], 0);
  EXPECT_TRUE(job["url"].is_null());
  EXPECT_EQ(job["key"], "generated_images/from_queue/builtin_77_" + id + ".png");
  auto q = QueueState(QueuePath(dir));
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->visible, 1);
}

TEST(ServeSettingsTest, PortInUseFailsWithAMessage) {
  TempDir dir;
  Server first;
  ASSERT_TRUE(StartServe(dir, &first));
  RunResult second = RunPictor(dir,
                               {"serve", "--listen", "127.0.0.1:" + std::to_string(first.port),
                                "--store", StoreSpec(dir), "--queue", QueueSpec(dir)},
                               {}, 30s);
  EXPECT_FALSE(second.timed_out) << "a second server on a used port kept running";
  EXPECT_EQ(second.code(), 1) << second.err;
  EXPECT_NE(second.err.find(std::to_string(first.port)), std::string::npos) << second.err;
}

TEST(ServeSettingsTest, MalformedListenAddressIsAUsageError) {
  TempDir dir;
  RunResult r = RunPictor(
      dir, {"serve", "--listen", "127.0.0.1", "--store", StoreSpec(dir), "--queue", QueueSpec(dir)},
      {}, 30s);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.code(), 2) << r.err;
  EXPECT_NE(r.err.find("HOST:PORT"), std::string::npos) << r.err;
}

TEST_F(ServeTest, HeadOfAnImageSendsItsHeadersOnly) {
  HttpResult made = Post("/generate-image", R"({"prompt": "a bee", "width": 64, "height": 64})");
  ASSERT_EQ(made.status, 200) << made.body;
  const std::string url = ParseJson(made)["url"];
  HttpResult head = Http("HEAD", url);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.Header("content-type"), "image/png");
  EXPECT_FALSE(head.Header("etag").empty());
  EXPECT_TRUE(head.body.empty());
}

TEST_F(ServeTest, ConcurrentRequestsWithOneIdempotencyKeyMakeOneJob) {
  constexpr int kClients = 8;
  std::vector<HttpResult> results(kClients);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      results[static_cast<size_t>(i)] =
          Post("/jobs", R"({"prompt": "one job only", "width": 64, "height": 64})",
               {{"Idempotency-Key", "race-1"}});
    });
  }
  for (auto& t : clients) t.join();
  std::set<std::string> ids;
  int replayed = 0;
  for (const auto& r : results) {
    ASSERT_EQ(r.status, 202) << r.error << r.body;
    ids.insert(ParseJson(r)["id"].get<std::string>());
    replayed += r.Header("idempotent-replayed") == "true" ? 1 : 0;
  }
  EXPECT_EQ(ids.size(), 1u);
  EXPECT_EQ(replayed, kClients - 1);
  ASSERT_EQ(AwaitJob(*ids.begin())["status"], "succeeded");
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto q = QueueState(QueuePath(dir_));
        return q && q->visible == 0 && q->in_flight == 0;
      },
      30s));
  EXPECT_EQ(PngFilesUnder(dir_.path() / "images").size(), 1u);
}

}  // namespace
}  // namespace pictor::integration
