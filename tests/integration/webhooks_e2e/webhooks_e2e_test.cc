// Job webhooks end to end: real `pictor serve` processes POST each job's final record to a local
// receiver (webhook_sink.py --standard) that verifies every Standard Webhooks signature with
// Python's own hmac. The receiver is on 127.0.0.1, so the client URLs need
// --allow-private-webhooks; the tests without it check that such URLs are refused.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "integration/harness.h"
#include "peers/peer_process.h"

namespace pictor::integration {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// A Standard Webhooks secret: whsec_ + base64 of the key.
constexpr const char* kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

class WebhooksTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(PictorBinary().empty()) << "PICTOR_BIN is not set"; }
  void TearDown() override {
    if (HasFailure() && server_.process) {
      std::cerr << "pictor serve stderr:\n" << server_.process->Stderr();
    }
  }

  // The receiver, answering the n-th POST with the n-th of `statuses`; on `port` (0: any).
  void StartReceiver(const std::string& statuses = "200", int port = 0) {
    auto sink = pictor::testing::PeerProcess::Start(
        {"/usr/bin/python3", pictor::testing::SourceDir() + "/tests/peers/webhook_sink.py",
         "--standard", "--port", std::to_string(port), "--statuses", statuses, posts_.string(),
         kSecret});
    ASSERT_TRUE(sink.ok()) << sink.status().ToString();
    sink_ = std::move(sink).value();
    port_ = sink_->port();
  }

  std::string HookUrl() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/hooks/pictor?token=abc";
  }

  EnvChanges Env(const std::string& backoff_ms = "50") const {
    return {{"PICTOR_WEBHOOK_SECRET", kSecret}, {"PICTOR_WEBHOOK_BACKOFF_MS", backoff_ms}};
  }

  std::string SubmitJob(const std::string& webhook_url) {
    Json body = {{"prompt", "a lighthouse at dusk"}, {"seed", 7}};
    if (!webhook_url.empty()) body["webhook_url"] = webhook_url;
    HttpResult r = Http("POST", server_.base_url + "/jobs", body.dump());
    EXPECT_EQ(r.status, 202) << r.body;
    return Json::parse(r.body, nullptr, false).value("id", "");
  }

  Json GetJob(const std::string& id) {
    HttpResult r = Http("GET", server_.base_url + "/jobs/" + id);
    return Json::parse(r.body, nullptr, false);
  }

  // GET /jobs/{id} once its webhook reached `state` (bounded wait).
  Json AwaitWebhookState(const std::string& id, const std::string& state) {
    Json job;
    bool reached = WaitUntil(
        [&] {
          job = GetJob(id);
          return job.is_object() && job["webhook"].is_object() && job["webhook"]["state"] == state;
        },
        60s, 50ms);
    EXPECT_TRUE(reached) << "webhook never " << state << ": " << job.dump();
    return job;
  }

  // The receiver's records, in arrival order.
  std::vector<Json> Posts() const {
    std::vector<fs::path> files;
    if (fs::exists(posts_)) {
      for (const auto& e : fs::directory_iterator(posts_)) {
        if (e.path().extension() == ".json") files.push_back(e.path());
      }
    }
    std::sort(files.begin(), files.end());
    std::vector<Json> out;
    for (const auto& f : files) out.push_back(Json::parse(ReadFile(f), nullptr, false));
    return out;
  }

  TempDir dir_;
  fs::path posts_ = dir_.path() / "posts";
  std::unique_ptr<pictor::testing::PeerProcess> sink_;
  int port_ = 0;
  Server server_;
};

TEST_F(WebhooksTest, ASucceededJobIsPostedOnceSignedWithItsRecord) {
  StartReceiver();
  ASSERT_TRUE(StartServe(dir_, &server_, {"--allow-private-webhooks"}, Env()));
  const std::string id = SubmitJob(HookUrl());
  Json job = AwaitWebhookState(id, "delivered");
  EXPECT_EQ(job["status"], "succeeded");
  EXPECT_EQ(job["webhook"]["attempts"], 1);
  EXPECT_EQ(job["webhook"]["last_status"], 200);
  EXPECT_TRUE(job["webhook"]["last_error"].is_null());
  EXPECT_FALSE(job.contains("webhook_url")) << "the URL may hold a token: " << job.dump();

  std::vector<Json> posts = Posts();
  ASSERT_EQ(posts.size(), 1u);
  const Json& post = posts[0];
  EXPECT_TRUE(post["signature_ok"].get<bool>()) << post.dump();
  EXPECT_EQ(post["status"], 200);
  EXPECT_EQ(post["path"], "/hooks/pictor?token=abc");
  EXPECT_EQ(post["content_type"], "application/json");
  EXPECT_EQ(post["webhook_id"].get<std::string>().rfind("msg_", 0), 0u);
  EXPECT_EQ(post["body"]["id"], id);
  EXPECT_EQ(post["body"]["status"], "succeeded");
  EXPECT_EQ(post["body"]["seed"], 7);
  EXPECT_EQ(post["body"]["prompt"], "a lighthouse at dusk");
  EXPECT_TRUE(post["body"]["url"].is_string());

  HttpResult metrics = Http("GET", server_.base_url + "/metrics");
  EXPECT_NE(metrics.body.find("pictor_webhook_deliveries_total{outcome=\"delivered\"} 1"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("pictor_webhook_pending"), std::string::npos);
}

TEST_F(WebhooksTest, A500IsRetriedWithTheSameIdUntilA200) {
  StartReceiver("500,503,200");
  ASSERT_TRUE(StartServe(dir_, &server_, {"--allow-private-webhooks"}, Env()));
  const std::string id = SubmitJob(HookUrl());
  Json job = AwaitWebhookState(id, "delivered");
  EXPECT_EQ(job["webhook"]["attempts"], 3);
  std::vector<Json> posts = Posts();
  ASSERT_EQ(posts.size(), 3u);
  for (const Json& post : posts) {
    EXPECT_TRUE(post["signature_ok"].get<bool>());
    EXPECT_EQ(post["webhook_id"], posts[0]["webhook_id"]);
    EXPECT_EQ(post["body"]["id"], id);
  }
  EXPECT_EQ(posts[0]["status"], 500);
  EXPECT_EQ(posts[2]["status"], 200);
  HttpResult metrics = Http("GET", server_.base_url + "/metrics");
  EXPECT_NE(metrics.body.find("pictor_webhook_deliveries_total{outcome=\"retried\"} 2"),
            std::string::npos)
      << metrics.body;
}

TEST_F(WebhooksTest, APendingDeliverySurvivesAKillDash9OfTheServer) {
  StartReceiver();
  const int port = port_;
  sink_.reset();  // the receiver is down
  ASSERT_TRUE(StartServe(dir_, &server_, {"--allow-private-webhooks"}, Env("200")));
  const std::string id = SubmitJob(HookUrl());
  Json job = AwaitWebhookState(id, "pending");
  ASSERT_TRUE(WaitUntil(
      [&] {
        Json j = GetJob(id);
        return j.is_object() && j["webhook"].is_object() && j["webhook"].value("attempts", 0) >= 1;
      },
      30s));
  job = GetJob(id);
  const std::string error = job["webhook"]["last_error"].get<std::string>();
  EXPECT_NE(error.find("http://127.0.0.1:" + std::to_string(port)), std::string::npos) << error;
  EXPECT_EQ(error.find("token"), std::string::npos) << error;
  EXPECT_EQ(error.find("/hooks"), std::string::npos) << error;

  server_.process->Kill();  // SIGKILL
  StartReceiver("200", port);
  Server restarted;
  ASSERT_TRUE(StartServe(dir_, &restarted, {"--allow-private-webhooks"}, Env("200")));
  server_ = std::move(restarted);
  job = AwaitWebhookState(id, "delivered");
  std::vector<Json> posts = Posts();
  ASSERT_GE(posts.size(), 1u);
  EXPECT_TRUE(posts.back()["signature_ok"].get<bool>());
  EXPECT_EQ(posts.back()["body"]["id"], id);
}

TEST_F(WebhooksTest, ASeparateWorkerDeliversTheWebhookItsQueueMessageCarries) {
  StartReceiver();
  ASSERT_TRUE(StartServe(dir_, &server_, {"--workers", "0", "--allow-private-webhooks"}, Env()));
  const std::string id = SubmitJob(HookUrl());
  std::unique_ptr<Process> worker;
  ASSERT_TRUE(StartWorker(dir_, &worker, {"--allow-private-webhooks"}, Env()));
  Json job = AwaitWebhookState(id, "delivered");
  EXPECT_EQ(job["status"], "succeeded");
  std::vector<Json> posts = Posts();
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_TRUE(posts[0]["signature_ok"].get<bool>());
  EXPECT_EQ(posts[0]["body"]["id"], id);
  if (HasFailure()) std::cerr << "pictor worker stderr:\n" << worker->Stderr();
}

TEST_F(WebhooksTest, TheOperatorsWebhookIsTrustedAndToldOfEveryJob) {
  StartReceiver();
  ASSERT_TRUE(StartServe(dir_, &server_, {"--webhook", HookUrl()}, Env()));
  const std::string id = SubmitJob("");
  Json job = AwaitWebhookState(id, "delivered");
  std::vector<Json> posts = Posts();
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_TRUE(posts[0]["signature_ok"].get<bool>());
  EXPECT_EQ(posts[0]["body"]["id"], id);
}

TEST_F(WebhooksTest, ClientUrlsIntoPrivateRangesAndBadUrlsAre400WithTheReason) {
  ASSERT_TRUE(StartServe(dir_, &server_, {"--workers", "0"}, Env()));
  struct Case {
    std::string url;
    std::string error;
    std::string words;
  };
  const std::vector<Case> cases = {
      {"http://127.0.0.1:9/hook", "webhook_url_not_allowed", "loopback"},
      {"http://localhost/hook", "webhook_url_not_allowed", "localhost"},
      {"http://169.254.169.254/latest/meta-data/", "webhook_url_not_allowed", "link-local"},
      {"http://[::ffff:10.0.0.1]/", "webhook_url_not_allowed", "private"},
      {"ftp://example.com/hook", "invalid_webhook_url", "https://"},
      {"https://example.com/" + std::string(2100, 'a'), "invalid_webhook_url", "2048"},
      {"https://user:pw@example.com/", "invalid_webhook_url", "credentials"},
  };
  for (const Case& c : cases) {
    HttpResult r = Http("POST", server_.base_url + "/jobs",
                        Json{{"prompt", "a cat"}, {"webhook_url", c.url}}.dump());
    EXPECT_EQ(r.status, 400) << c.url << ": " << r.body;
    Json body = Json::parse(r.body, nullptr, false);
    EXPECT_EQ(body.value("error", ""), c.error) << r.body;
    EXPECT_NE(body.value("message", "").find(c.words), std::string::npos) << r.body;
  }
  HttpResult typed =
      Http("POST", server_.base_url + "/jobs", R"({"prompt":"a cat","webhook_url":7})");
  EXPECT_EQ(typed.status, 400) << typed.body;
  // A public URL is accepted (the job is only queued: --workers 0).
  HttpResult ok = Http("POST", server_.base_url + "/jobs",
                       R"({"prompt":"a cat","webhook_url":"https://hooks.example.com/in"})");
  EXPECT_EQ(ok.status, 202) << ok.body;
  EXPECT_EQ(Http("GET", server_.base_url + "/healthz").status, 200);
}

TEST_F(WebhooksTest, WithoutASecretClientWebhooksAre400AndTheOperatorsIsRefusedAtStart) {
  ASSERT_TRUE(StartServe(dir_, &server_, {"--workers", "0"}));
  HttpResult r = Http("POST", server_.base_url + "/jobs",
                      R"({"prompt":"a cat","webhook_url":"https://hooks.example.com/in"})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("webhooks_disabled"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("PICTOR_WEBHOOK_SECRET"), std::string::npos) << r.body;

  TempDir other;
  RunResult refused = RunPictor(
      other, {"serve", "--listen", "127.0.0.1:0", "--webhook", "https://hooks.example.com/in",
              "--store", StoreSpec(other), "--queue", QueueSpec(other)});
  EXPECT_EQ(refused.code(), 2) << refused.err;
  EXPECT_NE(refused.err.find("PICTOR_WEBHOOK_SECRET"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace pictor::integration
