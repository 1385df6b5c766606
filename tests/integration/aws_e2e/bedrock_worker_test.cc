// `pictor worker --model bedrock:amazon.titan-image-generator-v1` against the fake Bedrock
// endpoint (tests/peers/fake_model_server.py), on a SQLite queue and a file store: what lands in
// the store, and what is dead-lettered, for each way the model answers.
#include <signal.h>

#include "integration/aws_e2e/aws_fixture.h"

namespace pictor::aws_e2e {
namespace {

constexpr const char* kTitan = "bedrock:amazon.titan-image-generator-v1";
constexpr const char* kFilterMessage = "This request has been blocked by our content filters.";

class BedrockWorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(integration::PictorBinary().empty()) << "PICTOR_BIN is not set";
    auto peer = pictor::testing::StartFakeModelServer({"--secret-access-key", "test"});
    ASSERT_TRUE(peer.ok()) << peer.status().ToString();
    model_ = std::move(peer).value();
  }
  void TearDown() override {
    if (worker_) {
      worker_->Signal(SIGTERM);
      if (!worker_->Wait(30s)) worker_->Kill();
    }
    model_.reset();
  }

  // Sets the fake's mode for its next `times` calls (-1: all of them).
  void Control(const std::string& mode, int times) {
    nlohmann::json order = {{"mode", mode}, {"times", times}};
    auto r = integration::Http("POST", model_->base_url() + "/_control", order.dump());
    ASSERT_EQ(r.status, 200) << r.error << r.body;
  }

  int Calls() {
    auto r = integration::Http("GET", model_->base_url() + "/_calls");
    auto body = nlohmann::json::parse(r.body, nullptr, false);
    return body.is_object() ? body.value("calls", -1) : -1;
  }

  // Queues one 512x512 job and starts the worker on the Bedrock model.
  void RunJob() {
    nlohmann::json job = {{"prompt", kNorwegianPrompt}, {"width", 512}, {"height", 512}};
    ASSERT_EQ(integration::SendToQueue(integration::QueuePath(dir_), {job.dump()}).size(), 1u);
    EnvChanges env = {{"AWS_ACCESS_KEY_ID", "test"},
                      {"AWS_SECRET_ACCESS_KEY", "test"},
                      {"AWS_SESSION_TOKEN", std::nullopt},
                      {"AWS_REGION", "us-east-1"},
                      {"AWS_EC2_METADATA_DISABLED", "true"},
                      {"AWS_CONFIG_FILE", "/nonexistent/aws-config"},
                      {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials"},
                      {"AWS_ENDPOINT_URL", std::nullopt},
                      {"AWS_ENDPOINT_URL_BEDROCK_RUNTIME", model_->base_url()}};
    ASSERT_TRUE(integration::StartWorker(dir_, &worker_, {"--model", kTitan}, env));
  }

  std::vector<std::filesystem::path> Stored() {
    return integration::PngFilesUnder(dir_.path() / "images");
  }

  // Waits (bounded) until the queue holds nothing visible or in flight.
  bool QueueDrained() {
    return integration::WaitUntil(
        [&] {
          auto state = integration::QueueState(integration::QueuePath(dir_));
          return (state && state->visible == 0 && state->in_flight == 0 && state->delayed == 0) ||
                 !worker_->Running();
        },
        60s, 50ms);
  }

  TempDir dir_;
  std::unique_ptr<pictor::testing::PeerProcess> model_;
  std::unique_ptr<Process> worker_;
};

TEST_F(BedrockWorkerTest, JobOf512SquareIsStoredAsTheModelsPng) {
  RunJob();
  ASSERT_TRUE(integration::WaitUntil([&] { return !Stored().empty() || !worker_->Running(); }, 60s))
      << worker_->Stderr();
  ASSERT_EQ(Stored().size(), 1u) << worker_->Stderr();
  auto png = integration::DecodePng(integration::ReadFile(Stored()[0]));
  ASSERT_TRUE(png.has_value());
  EXPECT_EQ(png->width, 512u);
  EXPECT_EQ(png->height, 512u);
  EXPECT_EQ(Stored()[0].filename().string().rfind("titan_", 0), 0u) << Stored()[0];
  EXPECT_EQ(Calls(), 1);
}

TEST_F(BedrockWorkerTest, JobSucceedsAfterTwoThrottledCalls) {
  Control("throttle", 2);
  RunJob();
  ASSERT_TRUE(integration::WaitUntil([&] { return !Stored().empty() || !worker_->Running(); }, 90s))
      << worker_->Stderr();
  EXPECT_EQ(Stored().size(), 1u) << worker_->Stderr();
  EXPECT_EQ(Calls(), 3) << "two throttled calls, then the one that succeeded";
  EXPECT_TRUE(integration::DeadLetters(integration::QueuePath(dir_)).empty());
}

TEST_F(BedrockWorkerTest, ContentFilteredJobIsDeadLetteredWithTheModelsMessage) {
  Control("content_filter", -1);
  RunJob();
  std::vector<DeadLetteredMessage> dead;
  ASSERT_TRUE(integration::WaitUntil(
      [&] {
        dead = integration::DeadLetters(integration::QueuePath(dir_));
        return !dead.empty() || !worker_->Running();
      },
      60s, 50ms))
      << worker_->Stderr();
  ASSERT_EQ(dead.size(), 1u) << worker_->Stderr();
  EXPECT_NE(dead[0].reason.find(kFilterMessage), std::string::npos) << dead[0].reason;
  EXPECT_NE(dead[0].body.find(kNorwegianPrompt), std::string::npos);
  EXPECT_TRUE(Stored().empty());
}

TEST_F(BedrockWorkerTest, AnswerThatIsNotAPngStoresNoObject) {
  Control("not_png", -1);
  RunJob();
  ASSERT_TRUE(QueueDrained()) << worker_->Stderr();
  ASSERT_TRUE(worker_->Running()) << worker_->Stderr();
  EXPECT_GE(Calls(), 1);
  EXPECT_TRUE(Stored().empty());
  EXPECT_EQ(integration::DeadLetters(integration::QueuePath(dir_)).size(), 1u);
}

}  // namespace
}  // namespace pictor::aws_e2e
