// `pictor worker` and `pictor serve` on the Bedrock model reached through the fault proxy: every
// fault in the script is absorbed by a bounded retry, every job ends with exactly one image, the
// processes stay up and answer /healthz, and the model saw exactly the calls the faults explain.
#include <signal.h>

#include <regex>

// First: the harness names gtest's `testing` unqualified, which pictor::testing (declared by
// the proxy's header) would shadow.
#include "integration/aws_e2e/aws_fixture.h"

#include "peers/fault_proxy.h"

namespace pictor::aws_e2e {
namespace {

using nlohmann::json;

constexpr const char* kTitan = "bedrock:amazon.titan-image-generator-v1";

class WorkerFaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(integration::PictorBinary().empty()) << "PICTOR_BIN is not set";
    auto model = pictor::testing::StartFakeModelServer({"--secret-access-key", "test"});
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    model_ = std::move(model).value();
    proxy_ = pictor::testing::FaultProxy::Start(model_->base_url());
    ASSERT_NE(proxy_, nullptr);
  }
  void TearDown() override {
    for (auto* process : {worker_.get(), server_.process.get()}) {
      if (process == nullptr) continue;
      process->Signal(SIGTERM);
      if (!process->Wait(30s)) process->Kill();
    }
  }

  EnvChanges Env() const {
    return {{"AWS_ACCESS_KEY_ID", "test"},
            {"AWS_SECRET_ACCESS_KEY", "test"},
            {"AWS_SESSION_TOKEN", std::nullopt},
            {"AWS_REGION", "us-east-1"},
            {"AWS_EC2_METADATA_DISABLED", "true"},
            {"AWS_CONFIG_FILE", "/nonexistent/aws-config"},
            {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials"},
            {"AWS_ENDPOINT_URL", std::nullopt},
            {"AWS_RETRY_MODE", std::nullopt},  // the default: adaptive for model calls
            {"AWS_ENDPOINT_URL_BEDROCK_RUNTIME", proxy_->base_url()}};
  }

  static json Rule(const std::string& fault, int nth, int count) {
    return {
        {"method", "POST"}, {"path", "^/model/"}, {"fault", fault}, {"nth", nth}, {"count", count}};
  }

  std::vector<std::filesystem::path> Stored() {
    return integration::PngFilesUnder(dir_.path() / "images");
  }

  TempDir dir_;
  std::unique_ptr<pictor::testing::PeerProcess> model_;
  std::unique_ptr<pictor::testing::FaultProxy> proxy_;
  std::unique_ptr<Process> worker_;
  integration::Server server_;
};

// One job at a time, so that the nth model call of the script is known and no job meets more
// faults in a row than its attempts allow: 12 jobs, 6 faulted calls, 18 calls in all.
TEST_F(WorkerFaultsTest, EveryFaultIsRetriedOnceAndEveryJobStoresOneImage) {
  json throttle = Rule("error", 2, 2);
  throttle.update({{"protocol", "bedrock"}, {"status", 429}, {"code", "ThrottlingException"}});
  json length = Rule("length", 8, 1);
  length["delta"] = 1000;
  json unavailable = Rule("error", 10, 2);
  unavailable.update(
      {{"protocol", "bedrock"}, {"status", 503}, {"code", "ServiceUnavailableException"}});
  proxy_->Script(json::array({throttle, Rule("reset", 6, 1), length, unavailable}));

  constexpr int kJobs = 12;
  std::vector<std::string> jobs;
  for (int i = 0; i < kJobs; ++i) {
    jobs.push_back(json{
        {"prompt", std::string(kNorwegianPrompt) + " " + std::to_string(i)},
        {"width", 512},
        {"height",
         512}}.dump());
  }
  ASSERT_EQ(integration::SendToQueue(integration::QueuePath(dir_), jobs).size(), jobs.size());
  ASSERT_TRUE(integration::StartWorker(
      dir_, &worker_, {"--model", kTitan, "--concurrency", "1", "--metrics-listen", "127.0.0.1:0"},
      Env()));

  ASSERT_TRUE(integration::WaitUntil(
      [&] {
        auto state = integration::QueueState(integration::QueuePath(dir_));
        return (state && state->visible + state->in_flight + state->delayed == 0) ||
               !worker_->Running();
      },
      90s, 50ms))
      << worker_->Stderr();
  ASSERT_TRUE(worker_->Running()) << worker_->Stderr();
  EXPECT_EQ(Stored().size(), static_cast<size_t>(kJobs)) << worker_->Stderr();
  EXPECT_TRUE(integration::DeadLetters(integration::QueuePath(dir_)).empty());

  std::vector<pictor::testing::ProxiedRequest> calls = proxy_->Requests("POST", "/model/");
  EXPECT_EQ(calls.size(), static_cast<size_t>(kJobs + 6)) << "a retry storm, or a lost retry";
  // Throttling replies are followed by a backoff (and the adaptive limiter's wait), not at once.
  ASSERT_GE(calls.size(), 4u);
  EXPECT_GT(calls[2].at - calls[1].at, 0.0);

  std::smatch m;
  const std::string out = worker_->Stdout();
  ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(metrics on (http://127\.0\.0\.1:[0-9]+))")))
      << out;
  EXPECT_EQ(integration::Http("GET", std::string(m[1]) + "/healthz").status, 200);
}

// `pictor serve` meeting a model that throttles, stalls past nothing and resets: the request that
// exhausts its attempts gets a retryable status, the next one succeeds, and the server stays up.
TEST_F(WorkerFaultsTest, ServeAnswersAThrottledModelWithARetryableStatusAndStaysUp) {
  json throttle = Rule("error", 1, 3);
  throttle.update({{"protocol", "bedrock"}, {"status", 429}, {"code", "ThrottlingException"}});
  proxy_->Script(json::array({throttle, Rule("reset", 4, 1)}));
  ASSERT_TRUE(
      integration::StartServe(dir_, &server_, {"--model", kTitan, "--workers", "0"}, Env()));
  const std::string body =
      json{{"prompt", kNorwegianPrompt}, {"width", 512}, {"height", 512}}.dump();

  auto throttled = integration::Http("POST", server_.base_url + "/generate-image", body);
  EXPECT_TRUE(throttled.status == 429 || throttled.status == 503)
      << throttled.status << " " << throttled.body;
  EXPECT_FALSE(throttled.Header("retry-after").empty()) << throttled.body;
  EXPECT_EQ(proxy_->Requests("POST", "/model/").size(), 3u);

  auto ok = integration::Http("POST", server_.base_url + "/generate-image", body);
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(proxy_->Requests("POST", "/model/").size(), 5u) << "one reset, one retry";
  EXPECT_EQ(Stored().size(), 1u);
  EXPECT_EQ(integration::Http("GET", server_.base_url + "/healthz").status, 200);
  EXPECT_TRUE(server_.process->Running());
}

// `pictor worker` on SQS and S3 (fauxqs) reached through the proxy: a throttled receive, an S3
// SlowDown on two image PUTs, a 500 on the first image request and a reset DeleteMessage reply.
// Every prompt still ends as exactly one PNG, the queue ends empty, and the image PUTs the proxy
// saw are the jobs plus the two faulted ones.
class AwsWorkerFaultsTest : public AwsPeersTest {
 protected:
  void TearDown() override {
    if (worker_) {
      worker_->Signal(SIGTERM);
      if (!worker_->Wait(30s)) worker_->Kill();
    }
    proxy_.reset();
    AwsPeersTest::TearDown();
  }

  std::unique_ptr<pictor::testing::FaultProxy> proxy_;
  std::unique_ptr<Process> worker_;
};

TEST_F(AwsWorkerFaultsTest, SqsAndS3FaultsLoseNoJobAndStoreNoImageTwice) {
  ASSERT_TRUE(MakeBucket("fault-images"));
  const std::string queue = MakeQueue("fault-prompts");
  ASSERT_FALSE(queue.empty());
  constexpr int kJobs = 8;
  for (int i = 0; i < kJobs; ++i) {
    RunResult sent = Aws({"sqs", "send-message", "--queue-url", queue, "--message-body",
                          std::string(kNorwegianPrompt) + " " + std::to_string(i)});
    ASSERT_EQ(sent.code(), 0) << sent.err;
  }
  proxy_ = pictor::testing::FaultProxy::Start(Endpoint());
  ASSERT_NE(proxy_, nullptr);
  json slow_down = {{"method", "PUT"},  {"path", "generated_images/.*\\.png"},
                    {"fault", "error"}, {"protocol", "s3"},
                    {"status", 503},    {"code", "SlowDown"},
                    {"nth", 2},         {"count", 2}};
  json internal = {{"path", "generated_images/"},
                   {"fault", "error"},
                   {"protocol", "s3"},
                   {"status", 500},
                   {"code", "InternalError"}};
  json throttled = {{"target", "AmazonSQS.ReceiveMessage"},
                    {"fault", "error"},
                    {"protocol", "sqs"},
                    {"status", 400},
                    {"code", "RequestThrottled"},
                    {"nth", 2}};
  json reset = {{"target", "AmazonSQS.DeleteMessage"}, {"fault", "reset"}, {"nth", 3}};
  proxy_->Script(json::array({slow_down, internal, throttled, reset}));

  worker_ = SpawnPictor({"worker", "--queue", queue, "--store", "s3://fault-images/run",
                         "--concurrency", "2", "--metrics-listen", "127.0.0.1:0"},
                        {{"AWS_ENDPOINT_URL", proxy_->base_url()}});
  ASSERT_NE(worker_, nullptr);
  std::vector<std::string> pngs;
  const bool stored = integration::WaitUntil(
      [&] {
        auto keys = ListKeys("fault-images");
        if (keys) pngs = PngKeysUnder(*keys, "run/generated_images/");
        return static_cast<int>(pngs.size()) >= kJobs || !worker_->Running();
      },
      90s, 500ms);
  ASSERT_TRUE(stored) << worker_->Stderr();
  ASSERT_TRUE(integration::WaitUntil([&] { return Depth(queue).Empty(); }, 60s, 500ms))
      << worker_->Stderr();
  ASSERT_TRUE(worker_->Running()) << worker_->Stderr();

  auto keys = ListKeys("fault-images");
  ASSERT_TRUE(keys.has_value());
  pngs = PngKeysUnder(*keys, "run/generated_images/");
  EXPECT_EQ(pngs.size(), static_cast<size_t>(kJobs)) << "one image per job, never two";
  std::vector<pictor::testing::ProxiedRequest> puts = proxy_->Requests("PUT", "generated_images/");
  EXPECT_EQ(puts.size(), static_cast<size_t>(kJobs + 2)) << worker_->Stderr();
  for (const char* fault : {"error", "reset"}) {
    bool seen = false;
    for (const auto& request : proxy_->Log()) seen = seen || request.fault == fault;
    EXPECT_TRUE(seen) << "the script's " << fault << " never fired";
  }

  std::smatch m;
  const std::string out = worker_->Stdout();
  ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(metrics on (http://127\.0\.0\.1:[0-9]+))")))
      << out;
  EXPECT_EQ(integration::Http("GET", std::string(m[1]) + "/healthz").status, 200);
}

}  // namespace
}  // namespace pictor::aws_e2e
