// `pictor serve` end to end over real HTTP: images now (POST /generate-image), jobs through the
// queue (POST /jobs, GET /jobs/{id}), image downloads, health and metrics, the exact answer
// to each kind of bad request, and a clean exit on SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"

namespace pictor::integration {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

// n copies of a two-byte character: n characters, 2n bytes.
std::string RepeatA(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += "å";
  return s;
}

Json ParseJson(const HttpResult& r) {
  Json j = Json::parse(r.body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "not JSON: " << r.body;
  return j;
}

class ServeTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(PictorBinary().empty()) << "PICTOR_BIN is not set";
    ASSERT_TRUE(StartServe(dir_, &server_));
  }

  void TearDown() override {
    if (HasFailure() && server_.process) {
      std::cerr << "pictor serve stderr:\n" << server_.process->Stderr();
    }
  }

  HttpResult Post(const std::string& path, const std::string& body,
                  const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return Http("POST", server_.base_url + path, body, headers);
  }
  HttpResult Get(const std::string& path,
                 const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return Http("GET", server_.base_url + path, {}, headers);
  }

  fs::path StoredPath(const std::string& key) const { return dir_.path() / "images" / key; }

  // Polls GET /jobs/{id} until the job succeeds or fails (bounded); returns the last answer.
  Json AwaitJob(const std::string& id) {
    Json job;
    WaitUntil(
        [&] {
          HttpResult r = Get("/jobs/" + id);
          if (r.status != 200) return false;
          job = Json::parse(r.body, nullptr, false);
          return job.is_object() && (job["status"] == "succeeded" || job["status"] == "failed");
        },
        60s);
    return job;
  }

  TempDir dir_;
  Server server_;
};

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

TEST_F(ServeTest, PromptOf512MultiByteCharactersIsAccepted) {
  Json body = {{"prompt", RepeatA(512)}, {"width", 64}, {"height", 64}};
  HttpResult r = Post("/generate-image", body.dump());
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(ServeTest, PromptWithNewlineAndTabIsAccepted) {
  Json body = {{"prompt", "a cat\non a mat\twith a hat"}, {"width", 64}, {"height", 64}};
  HttpResult r = Post("/generate-image", body.dump());
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(ServeTest, MissingContentTypeIsTakenAsJson) {
  HttpResult r = Post("/generate-image", R"({"prompt": "a pear", "width": 64, "height": 64})",
                      {{"Content-Type", ""}});
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(ServeTest, BodyOfExactly64KiBIsReadAndJudgedOnItsContent) {
  std::string body = R"({"prompt": ")" + std::string(65536 - 14, 'a') + R"("})";
  ASSERT_EQ(body.size(), 65536u);
  HttpResult r = Post("/generate-image", body);
  EXPECT_EQ(r.status, 400) << r.body.substr(0, 200);
  EXPECT_EQ(ParseJson(r)["error"], "prompt_too_long");
}

TEST_F(ServeTest, RejectedJobQueuesNothing) {
  HttpResult r = Post("/jobs", R"({"prompt": "a cat", "style": "oil"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ParseJson(r)["error"], "unknown_field");
  auto q = QueueState(QueuePath(dir_));
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->visible + q->in_flight + q->delayed, 0);
}

TEST_F(ServeTest, ServerStaysUpAfter200BadRequests) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"/generate-image", R"({"prompt": ""})"},
      {"/generate-image", R"({"prompt": "x", "seed": -1})"},
      {"/generate-image", "{not json"},
      {"/generate-image", "[1, 2, 3]"},
      {"/generate-image", R"({"prompt": "x", "width": 10})"},
      {"/jobs", R"({"prompt": "x", "extra": 1})"},
      {"/generate-image", std::string("{\"prompt\": \"\xff\xfe\"}")},
      {"/generate-image", std::string(65537, '{')},
  };
  for (int i = 0; i < 200; ++i) {
    const auto& [path, body] = bad[static_cast<size_t>(i) % bad.size()];
    HttpResult r = Post(path, body);
    ASSERT_GE(r.status, 400) << "request " << i << ": " << r.error;
    ASSERT_LT(r.status, 500) << "request " << i << ": " << r.body;
  }
  EXPECT_EQ(Http("PUT", server_.base_url + "/generate-image", "{}").status, 405);
  HttpResult good = Post("/generate-image", R"({"prompt": "still here", "width": 64})");
  EXPECT_EQ(good.status, 200) << good.body;
  EXPECT_TRUE(server_.process->Running());
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

// One bad request and the exact answer it must get.
struct BadRequest {
  std::string name;
  std::string method;
  std::string path;
  std::string body;
  std::string content_type;  // empty: application/json
  long status;
  std::string error;  // the "error" field; empty: not checked
};

std::ostream& operator<<(std::ostream& os, const BadRequest& b) { return os << b.name; }

class ServeBadRequestTest : public ServeTest, public testing::WithParamInterface<BadRequest> {};

TEST_P(ServeBadRequestTest, AnswersWithTheExactStatusAndErrorCode) {
  const BadRequest& b = GetParam();
  std::vector<std::pair<std::string, std::string>> headers;
  if (!b.content_type.empty()) headers.emplace_back("Content-Type", b.content_type);
  HttpResult r = Http(b.method, server_.base_url + b.path, b.body, headers);
  ASSERT_EQ(r.status, b.status) << r.error << r.body.substr(0, 300);
  Json j = ParseJson(r);
  if (!b.error.empty()) {
    EXPECT_EQ(j["error"], b.error) << r.body;
  }
  EXPECT_TRUE(j["message"].is_string()) << r.body;
  EXPECT_TRUE(PngFilesUnder(dir_.path() / "images").empty());
}

std::vector<BadRequest> BadRequests() {
  const std::string gen = "/generate-image";
  auto json = [&](std::string name, std::string body, long status, std::string error) {
    return BadRequest{std::move(name), "POST", gen, std::move(body), "", status, std::move(error)};
  };
  return {
      json("EmptyPrompt", R"({"prompt": ""})", 400, "prompt_required"),
      json("WhitespacePrompt", R"({"prompt": "  \t\n "})", 400, "prompt_required"),
      json("MissingPrompt", R"({"seed": 3})", 400, "prompt_required"),
      json("PromptOf513MultiByteCharacters", Json({{"prompt", RepeatA(513)}}).dump(), 400,
           "prompt_too_long"),
      json("PromptOfInvalidUtf8", "{\"prompt\": \"caf\xc3\x28\"}", 400, ""),
      json("PromptWithAControlCharacter", R"({"prompt": "a\u0001b"})", 400, "invalid_prompt"),
      json("PromptWithNul", R"({"prompt": "a\u0000b"})", 400, "invalid_prompt"),
      json("PromptWithLoneSurrogate", R"({"prompt": "a\ud800b"})", 400, ""),
      json("PromptWithDelete", R"({"prompt": "a\u007fb"})", 400, "invalid_prompt"),
      json("PromptNotAString", R"({"prompt": 5})", 400, "invalid_type"),
      json("NegativeSeed", R"({"prompt": "x", "seed": -1})", 400, "invalid_seed"),
      json("SeedAboveMaximum", R"({"prompt": "x", "seed": 2147483647})", 400, "invalid_seed"),
      json("FractionalSeed", R"({"prompt": "x", "seed": 1.5})", 400, "invalid_type"),
      json("SeedAsString", R"({"prompt": "x", "seed": "7"})", 400, "invalid_type"),
      json("WidthBelowMinimum", R"({"prompt": "x", "width": 63})", 400, "invalid_size"),
      json("WidthAboveMaximum", R"({"prompt": "x", "width": 2049})", 400, "invalid_size"),
      json("WidthAsWord", R"({"prompt": "x", "width": "big"})", 400, "invalid_type"),
      json("HeightBelowMinimum", R"({"prompt": "x", "height": 0})", 400, "invalid_size"),
      json("UnknownField", R"({"prompt": "x", "style": "oil"})", 400, "unknown_field"),
      json("JobIdFieldFromOutside", R"({"prompt": "x", "job_id": "abc"})", 400, "unknown_field"),
      json("MalformedJson", R"({"prompt": "x")", 400, "malformed_json"),
      json("EmptyBody", "", 400, "malformed_json"),
      json("JsonArray", R"(["a cat"])", 400, "malformed_json"),
      json("JsonString", R"("a cat")", 400, "malformed_json"),
      BadRequest{"PlainText", "POST", gen, "a cat", "text/plain", 415, "unsupported_media_type"},
      BadRequest{"FormEncoded", "POST", "/jobs", "prompt=x", "application/x-www-form-urlencoded",
                 415, "unsupported_media_type"},
      json("BodyOf64KiBPlusOne", R"({"prompt": ")" + std::string(65537 - 14, 'a') + R"("})", 413,
           "payload_too_large"),
      BadRequest{"UnknownRoute", "GET", "/no/such/route", "", "", 404, "not_found"},
      BadRequest{"PutGenerateImage", "PUT", gen, R"({"prompt": "x"})", "", 405,
                 "method_not_allowed"},
      BadRequest{"DeleteJobs", "DELETE", "/jobs/abc", "", "", 405, "method_not_allowed"},
      BadRequest{"JobWithUnknownField", "POST", "/jobs", R"({"prompt": "x", "n": 2})", "", 400,
                 "unknown_field"},
      BadRequest{"JobWithTooLongPrompt", "POST", "/jobs", Json({{"prompt", RepeatA(513)}}).dump(),
                 "", 400, "prompt_too_long"},
      BadRequest{"JobWithPromptNotAString", "POST", "/jobs", R"({"prompt": 1})", "", 400,
                 "invalid_type"},
  };
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

INSTANTIATE_TEST_SUITE_P(Inputs, ServeBadRequestTest, testing::ValuesIn(BadRequests()),
                         [](const testing::TestParamInfo<BadRequest>& info) {
                           return info.param.name;
                         });

TEST_F(ServeTest, BoundaryValuesAreAccepted) {
  const std::vector<std::string> bodies = {
      R"({"prompt": "x", "seed": 0, "width": 64, "height": 64})",
      R"({"prompt": "x", "seed": 2147483646, "width": 64, "height": 64})",
      R"({"prompt": "x", "seed": null, "width": 64, "height": 64})",
      R"({"prompt": "x", "seed": 5.0, "width": 64, "height": 64})",
      R"({"prompt": "x", "width": 2048, "height": 64})",
      R"({"prompt": "x", "negative_prompt": "", "width": 64, "height": 64})",
  };
  for (const auto& body : bodies) {
    HttpResult r = Post("/generate-image", body);
    EXPECT_EQ(r.status, 200) << body << " -> " << r.body;
  }
  Json j = ParseJson(Post("/generate-image", bodies[1]));
  EXPECT_EQ(j["seed"], 2147483646u);
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

TEST_F(ServeTest, PutGenerateImageNamesTheAllowedMethod) {
  HttpResult r = Http("PUT", server_.base_url + "/generate-image", R"({"prompt": "x"})");
  ASSERT_EQ(r.status, 405);
  EXPECT_EQ(r.Header("allow"), "POST");
}

TEST_F(ServeTest, InvalidIdempotencyKeyIsRefused) {
  HttpResult r = Post("/jobs", R"({"prompt": "x"})", {{"Idempotency-Key", std::string(256, 'k')}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ParseJson(r)["error"], "invalid_idempotency_key");
}

}  // namespace
}  // namespace pictor::integration
