// The HTTP API as a function of request values: no sockets, real SQLite queue and ledger.
#include "http/api.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "fakes/fake_image_model.h"
#include "fakes/memory_store.h"
#include "ledger/sqlite/sqlite_ledger.h"
#include "queue/sqlite/sqlite_queue.h"

namespace pictor::http {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using pictor::testing::FakeImageModel;
using pictor::testing::MemoryStore;

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pictor-api-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    SqliteQueueOptions qo;
    qo.path = (dir_ / "queue.db").string();
    queue_ = OpenSqliteQueue(qo).value();
    ledger_ = OpenSqliteLedger((dir_ / "jobs.db").string()).value();
    pipeline_.ledger = ledger_.get();
    pipeline_.key_prefix = "cand";
    api_ = std::make_unique<Api>(pipeline_, queue_.get(), ledger_.get(), metrics_, ApiOptions{});
  }
  void TearDown() override { fs::remove_all(dir_); }

  HttpResponse Call(std::string method, std::string path, std::string body = "",
                    std::vector<std::pair<std::string, std::string>> headers = {
                        {"Content-Type", "application/json"}}) {
    HttpRequest r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.body = std::move(body);
    r.headers.Add("Host", "pictor.test");
    for (auto& [k, v] : headers) r.headers.Add(k, v);
    return api_->Handle(r);
  }
  static Json Body(const HttpResponse& r) { return Json::parse(r.body); }

  fs::path dir_;
  FakeImageModel model_;
  MemoryStore store_;
  Pipeline pipeline_{model_, store_};
  std::unique_ptr<JobQueue> queue_;
  std::unique_ptr<JobLedger> ledger_;
  MetricsRegistry metrics_;
  std::unique_ptr<Api> api_;
};

TEST_F(ApiTest, GenerateImageStoresAndAnswersLikeTheOriginal) {
  HttpResponse r = Call("POST", "/generate-image", R"({"prompt":"A cat","seed":5})");
  ASSERT_EQ(r.status, 200) << r.body;
  Json b = Body(r);
  EXPECT_EQ(b["message"], "Image generated successfully");
  EXPECT_EQ(b["seed"], 5);
  EXPECT_EQ(b["width"], 1024);
  std::string key = b["key"];
  EXPECT_EQ(key.rfind("cand/generated_images/fake_5_", 0), 0u) << key;
  EXPECT_EQ(b["url"], "http://pictor.test/images/" + key);
  EXPECT_TRUE(store_.Head(key).ok());
  EXPECT_FALSE(b.contains("s3_path"));
}

TEST_F(ApiTest, GenerateImagePicksASeedWhenNoneIsGiven) {
  Json a = Body(Call("POST", "/generate-image", R"({"prompt":"x"})"));
  Json b = Body(Call("POST", "/generate-image", R"({"prompt":"x"})"));
  EXPECT_NE(a["key"], b["key"]);
  EXPECT_LE(a["seed"].get<int64_t>(), kMaxSeed);
}

TEST_F(ApiTest, ValidationErrorsAre400WithAReason) {
  HttpResponse r = Call("POST", "/generate-image", R"({"prompt":""})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r)["error"], "prompt_required");
  EXPECT_EQ(model_.calls.load(), 0);
}

TEST_F(ApiTest, ModelRefusalOfASizeIs400BeforeAnyCall) {
  model_.max_side = 512;
  HttpResponse r = Call("POST", "/generate-image", R"({"prompt":"x"})");  // 1024 default
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r)["error"], "invalid_size");
  EXPECT_EQ(model_.calls.load(), 0);
}

TEST_F(ApiTest, NonJsonContentTypeIs415) {
  HttpResponse r = Call("POST", "/generate-image", "prompt=x",
                        {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(Body(r)["error"], "unsupported_media_type");
  EXPECT_EQ(Call("POST", "/generate-image", R"({"prompt":"x"})",
                 {{"Content-Type", "application/json; charset=utf-8"}})
                .status,
            200);
}

TEST_F(ApiTest, TransientModelFailureIs503WithRetryAfter) {
  model_.FailNext(Status::ResourceExhausted("throttled"));
  HttpResponse r = Call("POST", "/generate-image", R"({"prompt":"x"})");
  EXPECT_EQ(r.status, 503);
  EXPECT_TRUE(r.headers.Get("Retry-After").has_value());
}

TEST_F(ApiTest, BrokenModelAnswerIs500NotAClientError) {
  model_.FailNext(Status::Internal("model returned garbage"));
  EXPECT_EQ(Call("POST", "/generate-image", R"({"prompt":"x"})").status, 500);
}

TEST_F(ApiTest, SubmitJobQueuesAMessageAndRecordsTheJob) {
  HttpResponse r = Call("POST", "/jobs", R"({"prompt":"laks","seed":9})");
  ASSERT_EQ(r.status, 202) << r.body;
  Json b = Body(r);
  std::string id = b["id"];
  EXPECT_EQ(b["status"], "queued");
  EXPECT_EQ(b["status_url"], "http://pictor.test/jobs/" + id);
  EXPECT_EQ(*r.headers.Get("Location"), "http://pictor.test/jobs/" + id);
  auto msgs = queue_->Receive(ReceiveOptions{});
  ASSERT_TRUE(msgs.ok());
  ASSERT_EQ(msgs->size(), 1u);
  Json m = Json::parse((*msgs)[0].body);
  EXPECT_EQ(m["job_id"], id);
  EXPECT_EQ(m["prompt"], "laks");
  EXPECT_EQ(m["seed"], 9);
  EXPECT_EQ(m["width"], 512);

  HttpResponse job = Call("GET", "/jobs/" + id);
  ASSERT_EQ(job.status, 200);
  Json j = Body(job);
  EXPECT_EQ(j["status"], "queued");
  EXPECT_EQ(j["key"], "cand/generated_images/from_queue/fake_9_" + id + ".png");
  EXPECT_TRUE(j["url"].is_null());
}

TEST_F(ApiTest, IdempotencyKeyReplaysTheFirstJob) {
  auto headers = std::vector<std::pair<std::string, std::string>>{
      {"Content-Type", "application/json"}, {"Idempotency-Key", "order-1"}};
  HttpResponse first = Call("POST", "/jobs", R"({"prompt":"sol"})", headers);
  HttpResponse second = Call("POST", "/jobs", R"({"prompt":"sol"})", headers);
  ASSERT_EQ(first.status, 202);
  ASSERT_EQ(second.status, 202);
  EXPECT_EQ(Body(first)["id"], Body(second)["id"]);
  EXPECT_EQ(*second.headers.Get("Idempotent-Replayed"), "true");
  EXPECT_EQ(queue_->Attributes()->visible, 1);

  HttpResponse other = Call("POST", "/jobs", R"({"prompt":"måne"})", headers);
  EXPECT_EQ(other.status, 422);
  EXPECT_EQ(Body(other)["error"], "idempotency_key_reused");
}

TEST_F(ApiTest, BadIdempotencyKeyIs400) {
  HttpResponse r =
      Call("POST", "/jobs", R"({"prompt":"sol"})",
           {{"Content-Type", "application/json"}, {"Idempotency-Key", std::string(256, 'k')}});
  EXPECT_EQ(r.status, 400);
}

TEST_F(ApiTest, UnknownJobIs404) {
  HttpResponse r = Call("GET", "/jobs/does-not-exist");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Body(r)["error"], "job_not_found");
}

TEST_F(ApiTest, JobsWithoutAQueueAre503) {
  Api no_queue(pipeline_, nullptr, nullptr, metrics_, ApiOptions{});
  HttpRequest r;
  r.method = "POST";
  r.path = "/jobs";
  r.body = R"({"prompt":"x"})";
  EXPECT_EQ(no_queue.Handle(r).status, 503);
}

TEST_F(ApiTest, ServesStoredImagesWithEtagAndNotModified) {
  ASSERT_TRUE(store_.Put("cand/generated_images/a b.png", "PNGDATA", "image/png").ok());
  HttpResponse r = Call("GET", "/images/cand/generated_images/a b.png");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "PNGDATA");
  EXPECT_EQ(*r.headers.Get("Content-Type"), "image/png");
  std::string etag(*r.headers.Get("ETag"));
  HttpResponse again =
      Call("GET", "/images/cand/generated_images/a b.png", "", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(Call("GET", "/images/missing.png").status, 404);
  EXPECT_EQ(Call("GET", "/images/../secret").status, 400);
}

TEST_F(ApiTest, UrlsPercentEncodeKeys) {
  pipeline_.key_prefix = "my cand/ø";
  HttpResponse r = Call("POST", "/generate-image", R"({"prompt":"x","seed":1})");
  ASSERT_EQ(r.status, 200) << r.body;
  std::string url = Body(r)["url"];
  EXPECT_EQ(url.rfind("http://pictor.test/images/my%20cand/%C3%B8/generated_images/", 0), 0u)
      << url;
}

TEST_F(ApiTest, ReadinessFailsWhileTheStoreCannotBeWritten) {
  store_.FailNextPuts(1);
  HttpResponse r = Call("GET", "/readyz");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(Body(r)["error"], "not_ready");
  EXPECT_EQ(store_.size(), 0u);
}

TEST_F(ApiTest, UnknownRouteIs404AndWrongMethodIs405WithAllow) {
  EXPECT_EQ(Call("GET", "/nope").status, 404);
  HttpResponse r = Call("PUT", "/generate-image");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(*r.headers.Get("Allow"), "POST");
  EXPECT_EQ(Call("DELETE", "/jobs/x").status, 405);
}

TEST_F(ApiTest, HealthReadinessAndMetrics) {
  EXPECT_EQ(Call("GET", "/healthz").status, 200);
  EXPECT_EQ(Call("GET", "/readyz").status, 200);
  Call("POST", "/generate-image", R"({"prompt":"x"})");
  HttpResponse m = Call("GET", "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(
      m.body.find(
          "pictor_http_requests_total{route=\"/generate-image\",method=\"POST\",status=\"200\"} 1"),
      std::string::npos)
      << m.body;
}

TEST_F(ApiTest, OnlySlowRoutesAreMarkedBlocking) {
  HttpRequest r;
  r.path = "/generate-image";
  EXPECT_TRUE(api_->MayBlock(r));
  r.path = "/healthz";
  EXPECT_FALSE(api_->MayBlock(r));
  r.path = "/jobs";
  EXPECT_FALSE(api_->MayBlock(r));  // local SQLite queue and ledger
}

}  // namespace
}  // namespace pictor::http
