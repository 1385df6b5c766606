// The HTTP API as a function of request values: no sockets, real SQLite queue and ledger.
#include "http/api.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "api_fixture.h"
#include "http/public_url.h"

namespace pictor::http {
namespace {

using Json = nlohmann::json;
using ::pictor::testing::FakeImageModel;
using testing::ApiTest;

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
  // Whatever else the store holds is not an image to serve.
  for (const char* other : {"cand/jobs/x.json", "cand/keys/ci.json", "generated_images/a b.png",
                            "cand/generated_imagesx/a.png"}) {
    ASSERT_TRUE(store_.Put(other, "SECRET", "application/json").ok());
    HttpResponse hidden = Call("GET", std::string("/images/") + other);
    EXPECT_EQ(hidden.status, 404) << other;
    EXPECT_EQ(hidden.body.find("SECRET"), std::string::npos) << other;
  }
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

// Host values a client could use to point our URLs elsewhere, or to break out of them.
TEST_F(ApiTest, HostileHostValuesGiveRelativeUrls) {
  const std::vector<std::string> hostile = {"evil.com/x",
                                            "\"evil.com\"",
                                            "evil .com",
                                            "user@evil.com",
                                            "evil.com:0",
                                            "evil.com:65536",
                                            "evil.com:",
                                            "[::1",
                                            "::1",
                                            "a..b",
                                            "evil.com?x",
                                            "evil.com#x",
                                            "<script>",
                                            "",
                                            std::string(300, 'a'),
                                            std::string(64, 'a') + ".com"};
  for (const std::string& host : hostile) {
    HttpRequest r;
    r.method = "POST";
    r.path = "/generate-image";
    r.body = R"({"prompt":"x","seed":1,"width":64,"height":64})";
    r.headers.Add("Host", host);
    Json b = Body(api_->Handle(r));
    EXPECT_EQ(b["url"].get<std::string>().rfind("/images/", 0), 0u) << host << ": " << b;
    r.path = "/jobs";
    HttpResponse job = api_->Handle(r);
    ASSERT_EQ(job.status, 202) << job.body;
    EXPECT_EQ(Body(job)["status_url"].get<std::string>().rfind("/jobs/", 0), 0u) << host;
    EXPECT_EQ(job.headers.Get("Location")->rfind("/jobs/", 0), 0u) << host;
  }
}

TEST_F(ApiTest, ValidHostValuesGiveAbsoluteUrls) {
  for (std::string host : {"pictor.test:8080", "127.0.0.1", "[::1]:8080", "img-1.example.com."}) {
    HttpRequest r;
    r.method = "POST";
    r.path = "/jobs";
    r.body = R"({"prompt":"x"})";
    r.headers.Add("Host", host);
    HttpResponse job = api_->Handle(r);
    ASSERT_EQ(job.status, 202) << job.body;
    EXPECT_EQ(Body(job)["status_url"].get<std::string>().rfind("http://" + host + "/jobs/", 0), 0u)
        << host;
  }
}

TEST_F(ApiTest, RequestsThatCameOverTlsGetHttpsUrlsFromTheirHost) {
  HttpRequest r;
  r.method = "POST";
  r.path = "/generate-image";
  r.body = R"({"prompt":"x","seed":1,"width":64,"height":64})";
  r.headers.Add("Host", "img.example.com:8443");
  r.tls = true;
  Json image = Body(api_->Handle(r));
  EXPECT_EQ(image["url"].get<std::string>().rfind("https://img.example.com:8443/images/", 0), 0u)
      << image;
  r.path = "/jobs";
  r.body = R"({"prompt":"x"})";
  HttpResponse job = api_->Handle(r);
  ASSERT_EQ(job.status, 202) << job.body;
  EXPECT_EQ(job.headers.Get("Location")->rfind("https://img.example.com:8443/jobs/", 0), 0u);
}

TEST_F(ApiTest, PublicUrlIsTheBaseOfEveryAbsoluteUrlWhateverTheHost) {
  ApiOptions options;
  options.public_url = ParsePublicUrl("https://img.example.com/pictor/").value();
  Api api(pipeline_, queue_.get(), ledger_.get(), metrics_, options);
  HttpRequest r;
  r.method = "POST";
  r.path = "/generate-image";
  r.body = R"({"prompt":"x","seed":1,"width":64,"height":64})";
  r.headers.Add("Host", "evil.com");
  Json image = Body(api.Handle(r));
  EXPECT_EQ(image["url"].get<std::string>().rfind("https://img.example.com/pictor/images/", 0), 0u)
      << image;
  r.path = "/jobs";
  HttpResponse job = api.Handle(r);
  ASSERT_EQ(job.status, 202);
  const std::string expected =
      "https://img.example.com/pictor/jobs/" + Body(job)["id"].get<std::string>();
  EXPECT_EQ(Body(job)["status_url"], expected);
  EXPECT_EQ(*job.headers.Get("Location"), expected);
}

TEST(PublicUrlTest, AcceptsAbsoluteHttpUrlsAndRefusesTheRest) {
  EXPECT_EQ(ParsePublicUrl("http://pictor.example.com").value(), "http://pictor.example.com");
  EXPECT_EQ(ParsePublicUrl("https://[2001:db8::1]:8443/a/b/").value(),
            "https://[2001:db8::1]:8443/a/b");
  EXPECT_EQ(ParsePublicUrl("https://10.0.0.1:443/").value(), "https://10.0.0.1:443");
  for (const char* bad :
       {"", "pictor.example.com", "ftp://x.com", "https://", "https://x.com?a=1",
        "https://x.com/#f", "https://user:pw@x.com", "https://x.com:0", "https://x.com:70000",
        "https://x .com", "https://x.com/a b", "https://evil.com\"/", "//x.com", "https://[::1/"}) {
    auto parsed = ParsePublicUrl(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
    if (!parsed.ok()) {
      EXPECT_TRUE(parsed.status().IsInvalidArgument()) << bad;
    }
  }
}

TEST_F(ApiTest, DuplicateIdempotencyKeyHeadersAre400AndQueueNothing) {
  HttpResponse r = Call(
      "POST", "/jobs", R"({"prompt":"sol"})",
      {{"Content-Type", "application/json"}, {"Idempotency-Key", "a"}, {"idempotency-key", "b"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r)["error"], "duplicate_idempotency_key");
  EXPECT_EQ(queue_->Attributes()->visible, 0);
}

TEST_F(ApiTest, IfNoneMatchHonoursListsStarAndWeakTags) {
  ASSERT_TRUE(store_.Put("cand/generated_images/a.png", "PNGDATA", "image/png").ok());
  const std::string path = "/images/cand/generated_images/a.png";
  HttpResponse first = Call("GET", path);
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(*first.headers.Get("X-Content-Type-Options"), "nosniff");
  const std::string etag(*first.headers.Get("ETag"));
  ASSERT_EQ(etag.front(), '"');
  auto status_with = [&](const std::string& value) {
    return Call("GET", path, "", {{"If-None-Match", value}}).status;
  };
  EXPECT_EQ(status_with(etag), 304);
  EXPECT_EQ(status_with("\"other\", " + etag), 304);
  EXPECT_EQ(status_with("\"other\"," + etag + ",\"more\""), 304);
  EXPECT_EQ(status_with("W/" + etag), 304);
  EXPECT_EQ(status_with("\"x\" , W/" + etag), 304);
  EXPECT_EQ(status_with("*"), 304);
  EXPECT_EQ(status_with("\"other\""), 200);
  EXPECT_EQ(status_with("W/\"other\", \"more\""), 200);
  EXPECT_EQ(status_with(etag.substr(1, etag.size() - 2)), 200);  // unquoted: malformed
  EXPECT_EQ(status_with(""), 200);
  // Two fields are one list.
  EXPECT_EQ(Call("GET", path, "", {{"If-None-Match", "\"other\""}, {"If-None-Match", etag}}).status,
            304);
  EXPECT_EQ(
      Call("GET", "/images/cand/generated_images/none.png", "", {{"If-None-Match", "*"}}).status,
      404);
}

TEST_F(ApiTest, ServerFaultsAre5xxWithoutTheirDetail) {
  const std::string secret = "/srv/pictor/store/cand/.pictor-tmp-4242: Permission denied";
  for (const Status& fault :
       {Status::Unavailable("cannot write " + secret), Status::PermissionDenied(secret),
        Status::ResourceExhausted(secret), Status::Internal(secret), Status::DataLoss(secret),
        Status::DeadlineExceeded(secret), Status::Cancelled(secret)}) {
    HttpResponse r = ErrorResponse(fault);
    EXPECT_GE(r.status, 500) << fault.ToString();
    EXPECT_EQ(r.body.find("/srv"), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find("4242"), std::string::npos) << r.body;
    EXPECT_EQ(r.headers.Get("Retry-After").has_value(), r.status == 503) << fault.ToString();
  }
  EXPECT_EQ(HttpStatusFor(Status::Unavailable("x")), 503);
  EXPECT_EQ(HttpStatusFor(Status::PermissionDenied("x")), 503);
  // The caller's own refusals are 4xx: unknown key, missing scope, spent quota.
  EXPECT_EQ(HttpStatusFor(Status::Unauthenticated("x")), 401);
  EXPECT_EQ(HttpStatusFor(Status::Forbidden("x")), 403);
  EXPECT_EQ(HttpStatusFor(Status::QuotaExceeded("x", "rate_limited", 1)), 429);
  // Through the API: a fault while generating is answered the same way.
  model_.FailNext(Status::Unavailable("cannot write " + secret));
  HttpResponse r = Call("POST", "/generate-image", R"({"prompt":"x","width":64,"height":64})");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body.find("/srv"), std::string::npos) << r.body;
  EXPECT_TRUE(r.headers.Get("Retry-After").has_value());
  // Client errors still say what was wrong with the request.
  HttpResponse bad = ErrorResponse(Status::InvalidArgument("width must be at most 2048"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("width must be at most 2048"), std::string::npos);
}

TEST_F(ApiTest, SynchronousGenerationsBeyondTheMemoryBudgetAre503UntilMemoryIsFree) {
  FakeImageModel gate;  // each generation waits in the model until the test releases it
  gate.Hold();
  Pipeline pipeline{gate, store_};
  ApiOptions options;
  options.sync_memory_bytes = 2 * EstimateGenerationBytes(256, 256);  // room for two
  Api api(pipeline, queue_.get(), ledger_.get(), metrics_, options);
  auto request = [](int side) {
    HttpRequest r;
    r.method = "POST";
    r.path = "/generate-image";
    r.body = R"({"prompt":"x","width":)" + std::to_string(side) + R"(,"height":)" +
             std::to_string(side) + "}";
    return r;
  };
  std::vector<int> statuses(2);
  std::vector<std::thread> held;
  for (int i = 0; i < 2; ++i) {
    held.emplace_back([&, i] { statuses[i] = api.Handle(request(256)).status; });
  }
  ASSERT_TRUE(gate.WaitForHeld(2, std::chrono::seconds(30)));
  // Refused at once, or else admitted into the gate: then it waits there, the test fails and
  // opens the gate for it.
  auto refused = std::async(std::launch::async, [&] { return api.Handle(request(256)); });
  if (refused.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
    ADD_FAILURE() << "a third generation was admitted beyond the budget";
    gate.Release();
  }
  HttpResponse third = refused.get();
  EXPECT_EQ(third.status, 503);
  EXPECT_EQ(Body(third)["error"], "overloaded");
  EXPECT_EQ(third.headers.Get("Retry-After").value_or(""), "1");
  // Even a smaller one is refused while the budget is full.
  auto smaller = std::async(std::launch::async, [&] { return api.Handle(request(128)); });
  if (smaller.wait_for(std::chrono::seconds(30)) != std::future_status::ready) gate.Release();
  EXPECT_EQ(smaller.get().status, 503);
  gate.Release();
  for (auto& t : held) t.join();
  EXPECT_EQ(statuses, (std::vector<int>{200, 200}));
  EXPECT_EQ(api.Handle(request(256)).status, 200);  // memory given back: served again
  // One request larger than the whole budget is still served when it is alone.
  EXPECT_EQ(api.Handle(request(1024)).status, 200);
  EXPECT_NE(metrics_.RenderPrometheus().find("pictor_sync_generations_refused_total 2"),
            std::string::npos);
}

}  // namespace
}  // namespace pictor::http
