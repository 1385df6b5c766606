// Drives the real `pictor lambda` process through the local Lambda Runtime API emulator:
// API Gateway v1 and v2 events, SQS batches with failing and unfinished records, webhooks
// carried from one instance to the next, the EMF line (namespace, spend), init failures, and many
// invocations in one process.
// Kept in one file although long: every case drives the same emulator fixture and event builders.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "integration/harness.h"
#include "peers/peer_process.h"
#include "pictor/request.h"

namespace pictor {
namespace {

using integration::EnvChanges;
using integration::Http;
using integration::Process;
using integration::TempDir;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr char kPng64[] = R"({"prompt": "a red fox in the snow", "width": 64, "height": 64})";

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned val = 0;
  int bits = -6;
  for (unsigned char c : in) {
    val = (val << 8) + c;
    bits += 8;
    while (bits >= 0) {
      out += kAlphabet[(val >> bits) & 63];
      bits -= 6;
    }
  }
  if (bits > -6) out += kAlphabet[((val << 8) >> (bits + 8)) & 63];
  while (out.size() % 4) out += '=';
  return out;
}

std::string UnBase64(std::string_view in) {
  std::string out;
  unsigned val = 0;
  int bits = -8;
  for (char c : in) {
    const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char* at = std::strchr(kAlphabet, c);
    if (c == '=' || at == nullptr) break;
    val = (val << 6) + static_cast<unsigned>(at - kAlphabet);
    bits += 6;
    if (bits >= 0) {
      out += static_cast<char>((val >> bits) & 0xff);
      bits -= 8;
    }
  }
  return out;
}

json V1Event(const std::string& method, const std::string& path, const std::string& body) {
  return {{"resource", path},
          {"path", path},
          {"httpMethod", method},
          {"headers", {{"Content-Type", "application/json"}}},
          {"multiValueHeaders", {{"Content-Type", {"application/json"}}}},
          {"queryStringParameters", nullptr},
          {"requestContext",
           {{"stage", "prod"}, {"httpMethod", method}, {"identity", {{"sourceIp", "10.0.0.1"}}}}},
          {"body", body},
          {"isBase64Encoded", false}};
}

json V2Event(const std::string& method, const std::string& path, const std::string& body,
             bool base64) {
  return {{"version", "2.0"},
          {"routeKey", method + " " + path},
          {"rawPath", path},
          {"rawQueryString", ""},
          {"headers", {{"content-type", "application/json"}}},
          {"requestContext",
           {{"stage", "$default"}, {"http", {{"method", method}, {"sourceIp", "10.0.0.2"}}}}},
          {"body", base64 ? Base64(body) : body},
          {"isBase64Encoded", base64}};
}

json SqsEvent(const std::vector<std::pair<std::string, std::string>>& id_and_body) {
  json records = json::array();
  for (const auto& [id, body] : id_and_body) {
    records.push_back({{"messageId", id},
                       {"receiptHandle", "handle-" + id},
                       {"body", body},
                       {"attributes",
                        {{"ApproximateReceiveCount", "1"},
                         {"SentTimestamp", "1700000000000"},
                         {"ApproximateFirstReceiveTimestamp", "1700000000100"}}},
                       {"eventSource", "aws:sqs"},
                       {"eventSourceARN", "arn:aws:sqs:us-east-1:123456789012:pictor-jobs"},
                       {"awsRegion", "us-east-1"}});
  }
  return {{"Records", records}};
}

long RssKiB(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

class LambdaRuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(integration::PictorBinary().empty()) << "PICTOR_BIN is not set";
    StartEmulator();
  }

  // A fresh emulator: one per function instance, as a killed runtime's pending /next would
  // otherwise be handed the next event.
  void StartEmulator() {
    emulator_.reset();
    auto peer = testing::PeerProcess::Start(
        {"/usr/bin/python3", testing::SourceDir() + "/tests/peers/lambda_runtime_emulator.py"});
    ASSERT_TRUE(peer.ok()) << peer.status().message();
    emulator_ = std::move(peer).value();
  }

  // Starts `pictor lambda` against the emulator on a file store in the test directory.
  void StartLambda(EnvChanges env = {}, const std::vector<std::string>& flags = {}) {
    env["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:" + std::to_string(emulator_->port());
    if (!env.count("PICTOR_STORE")) env["PICTOR_STORE"] = "file:" + dir_ / "images";
    std::vector<std::string> argv = {integration::PictorBinary(), "lambda"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    std::string error;
    lambda_ = Process::Spawn(argv, env, dir_.path(), dir_.path(), &error);
    ASSERT_NE(lambda_, nullptr) << error;
  }

  // One invocation; the emulator's record of the answer ({"kind", "body", "errorType"}).
  json Invoke(const json& event, int timeout_ms = 30000) {
    auto r =
        Http("POST",
             emulator_->base_url() + "/_emulator/invoke?timeout_ms=" + std::to_string(timeout_ms),
             event.dump());
    EXPECT_EQ(r.status, 200) << r.body << (lambda_ ? lambda_->Stderr() : "");
    return json::parse(r.body, nullptr, false);
  }

  std::set<std::string> BatchItemFailures(const json& answer) {
    std::set<std::string> ids;
    auto doc = json::parse(answer.value("body", ""), nullptr, false);
    for (const auto& f : doc.value("batchItemFailures", json::array())) {
      ids.insert(f.value("itemIdentifier", ""));
    }
    return ids;
  }

  TempDir dir_;
  std::unique_ptr<testing::PeerProcess> emulator_;
  std::unique_ptr<Process> lambda_;
};

void ExpectGeneratedAnswer(const json& proxy, const TempDir& dir) {
  EXPECT_EQ(proxy.value("statusCode", 0), 200) << proxy.dump();
  EXPECT_FALSE(proxy.value("isBase64Encoded", true));
  auto body = json::parse(proxy.value("body", ""), nullptr, false);
  EXPECT_EQ(body.value("message", ""), "Image generated successfully");
  EXPECT_EQ(body.value("width", 0), 64);
  EXPECT_EQ(body.value("height", 0), 64);
  std::string key = body.value("key", "");
  ASSERT_EQ(key.rfind("generated_images/builtin_", 0), 0u) << key;
  auto png = integration::DecodePng(integration::ReadFile(dir / ("images/" + key)));
  ASSERT_TRUE(png.has_value());
  EXPECT_EQ(png->width, 64u);
}

TEST_F(LambdaRuntimeTest, ApiGatewayV1GenerateImageAnswersAsServeDoes) {
  StartLambda();
  json answer = Invoke(V1Event("POST", "/generate-image", kPng64));
  ASSERT_EQ(answer.value("kind", ""), "response") << answer.dump();
  json proxy = json::parse(answer.value("body", ""));
  ExpectGeneratedAnswer(proxy, dir_);
  EXPECT_TRUE(proxy.contains("multiValueHeaders"));
}

TEST_F(LambdaRuntimeTest, ApiGatewayV2GenerateImageTakesBase64Body) {
  StartLambda();
  json answer = Invoke(V2Event("POST", "/generate-image", kPng64, true));
  ASSERT_EQ(answer.value("kind", ""), "response") << answer.dump();
  ExpectGeneratedAnswer(json::parse(answer.value("body", "")), dir_);
}

TEST_F(LambdaRuntimeTest, ApiGatewayV2ImageIsReturnedAsBase64Png) {
  StartLambda();
  json made = json::parse(
      Invoke(V2Event("POST", "/generate-image", kPng64, false))["body"].get<std::string>());
  std::string key = json::parse(made["body"].get<std::string>())["key"];
  json proxy =
      json::parse(Invoke(V2Event("GET", "/images/" + key, "", false))["body"].get<std::string>());
  EXPECT_EQ(proxy.value("statusCode", 0), 200);
  ASSERT_TRUE(proxy.value("isBase64Encoded", false));
  auto png = integration::DecodePng(UnBase64(proxy["body"].get<std::string>()));
  ASSERT_TRUE(png.has_value());
  EXPECT_EQ(png->height, 64u);
}

// Each invocation writes one EMF line to stdout, in the namespace the deployment configured, so
// dev's and prod's functions in one account never share a series.
TEST_F(LambdaRuntimeTest, MetricsAreWrittenToTheConfiguredNamespaceWithTheSpend) {
  const std::string config = dir_ / "pictor.toml";
  std::ofstream(config) << "[prices]\nbuiltin = 0.04\n";
  StartLambda({{"PICTOR_METRICS_NAMESPACE", "Pictor/pictor-dev"}, {"PICTOR_CONFIG", config}});
  json answer = Invoke(V2Event("POST", "/generate-image", kPng64, false));
  ASSERT_EQ(answer.value("kind", ""), "response") << answer.dump();
  std::istringstream out(lambda_->Stdout());
  std::vector<json> emf;
  for (std::string line; std::getline(out, line);) {
    json doc = json::parse(line, nullptr, false);
    if (doc.is_object() && doc.contains("_aws")) emf.push_back(doc);
  }
  ASSERT_EQ(emf.size(), 1u) << lambda_->Stdout();
  EXPECT_EQ(emf[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"], "Pictor/pictor-dev");
  EXPECT_EQ(emf[0]["Handler"], "api");
  EXPECT_EQ(emf[0]["Jobs"], 1);
  EXPECT_DOUBLE_EQ(emf[0].value("SpendUsd", 0.0), 0.04) << emf[0].dump();
  const json& declared = emf[0]["_aws"]["CloudWatchMetrics"][0]["Metrics"];
  EXPECT_NE(
      std::find(declared.begin(), declared.end(), json{{"Name", "SpendUsd"}, {"Unit", "None"}}),
      declared.end())
      << declared.dump();
}

TEST_F(LambdaRuntimeTest, ANamespaceCloudWatchWouldRefuseStopsTheRuntimeWithTheReason) {
  StartLambda({{"PICTOR_METRICS_NAMESPACE", "AWS/Lambda"}});
  auto exit = lambda_->Wait(30s);
  ASSERT_TRUE(exit.has_value()) << "pictor lambda did not exit";
  EXPECT_TRUE(exit->exited && exit->code == 2) << lambda_->Stderr();
  EXPECT_NE(lambda_->Stderr().find("AWS/ are AWS's own"), std::string::npos) << lambda_->Stderr();
}

TEST_F(LambdaRuntimeTest, SqsBatchReportsExactlyTheFailedRecords) {
  StartLambda();
  std::vector<std::pair<std::string, std::string>> records;
  std::set<std::string> bad;
  for (int i = 0; i < 10; ++i) {
    std::string id = "msg-" + std::to_string(i);
    if (i % 3 == 1) {  // 1, 4, 7: no prompt, a permanent failure
      records.emplace_back(id, R"({"width": 64, "height": 64})");
      bad.insert(id);
    } else {
      records.emplace_back(id, R"({"prompt": "a lighthouse number )" + std::to_string(i) +
                                   R"(", "width": 64, "height": 64})");
    }
  }
  json answer = Invoke(SqsEvent(records));
  ASSERT_EQ(answer.value("kind", ""), "response") << answer.dump();
  EXPECT_EQ(BatchItemFailures(answer), bad);
  EXPECT_EQ(integration::PngFilesUnder(dir_ / "images").size(), 7u);
}

TEST_F(LambdaRuntimeTest, SqsRecordsUnfinishedAtTheDeadlineAreReportedAsFailures) {
  auto model = testing::StartFakeModelServer();
  ASSERT_TRUE(model.ok()) << model.status().message();
  // The first 4 model calls take 20 s; the rest answer at once.
  auto control = Http("POST", (*model)->base_url() + "/_control",
                      R"({"mode": "timeout", "times": 4, "delay_ms": 20000})");
  ASSERT_EQ(control.status, 200) << control.body;
  StartLambda({{"PICTOR_MODEL", "openai:" + (*model)->base_url() + "/v1"},
               {"PICTOR_OPENAI_API_KEY", "test-openai-key"},
               {"PICTOR_LAMBDA_DEADLINE_MARGIN_MS", "1000"}});
  std::vector<std::pair<std::string, std::string>> records;
  for (int i = 0; i < 10; ++i) {
    records.emplace_back(std::to_string(i).insert(0, "slow-"),
                         R"({"prompt": "a harbour at dusk", "width": 1024, "height": 1024})");
  }
  auto started = std::chrono::steady_clock::now();
  json answer = Invoke(SqsEvent(records), 6000);
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(answer.value("kind", ""), "response") << answer.dump() << lambda_->Stderr();
  EXPECT_EQ(BatchItemFailures(answer).size(), 4u) << answer.dump() << lambda_->Stderr();
  EXPECT_LT(took, 6s);  // answered before the deadline, not when the slow calls end
  EXPECT_EQ(integration::PngFilesUnder(dir_ / "images").size(), 6u);
}

// The bodies of the messages waiting in an embedded (SQLite) queue, oldest first: what SQS would
// deliver to the worker function.
std::vector<std::string> QueuedBodies(const std::string& path) {
  std::vector<std::string> bodies;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* select = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT body FROM messages ORDER BY seq", -1, &select, nullptr) ==
        SQLITE_OK) {
      while (sqlite3_step(select) == SQLITE_ROW) {
        bodies.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(select, 0)));
      }
    }
    sqlite3_finalize(select);
  }
  sqlite3_close(db);
  return bodies;
}

// The two functions of a deployment, one after the other on the same emulator: the API function
// takes POST /jobs and answers GET /jobs/{id}; the worker function, fed by the queue, runs the
// job. They share nothing but the store, where the job's record lives (PICTOR_JOBS=store).
TEST_F(LambdaRuntimeTest, JobStatusFromTheApiFunctionFollowsTheWorkerFunction) {
  const std::string queue = "sqlite:" + (dir_ / "queue.db");
  const EnvChanges api = {
      {"PICTOR_QUEUE", queue}, {"PICTOR_JOBS", "store"}, {"KEY_PREFIX", "team"}};
  auto body_of = [](const json& doc) {
    json parsed = doc.is_object() ? json::parse(doc.value("body", ""), nullptr, false) : json();
    return parsed.is_object() ? parsed : json::object();
  };
  auto proxy_of = body_of;

  StartLambda(api);
  json submitted = proxy_of(Invoke(V2Event("POST", "/jobs", kPng64, false)));
  ASSERT_EQ(submitted.value("statusCode", 0), 202) << submitted.dump() << lambda_->Stderr();
  const std::string id = body_of(submitted).value("id", "");
  ASSERT_FALSE(id.empty()) << submitted.dump();
  EXPECT_TRUE(std::filesystem::exists(dir_ / ("images/team/jobs/" + id + ".json")));
  json queued = proxy_of(Invoke(V2Event("GET", "/jobs/" + id, "", false)));
  EXPECT_EQ(queued.value("statusCode", 0), 200) << queued.dump();
  EXPECT_EQ(body_of(queued).value("status", ""), "queued") << queued.dump();
  json unknown =
      proxy_of(Invoke(V2Event("GET", "/jobs/0190b9c2-0000-7000-8000-000000000000", "", false)));
  EXPECT_EQ(unknown.value("statusCode", 0), 404) << unknown.dump();
  lambda_->Kill();

  const std::vector<std::string> bodies = QueuedBodies((dir_ / "queue.db"));
  ASSERT_EQ(bodies.size(), 1u);
  StartEmulator();
  StartLambda({{"PICTOR_JOBS", "store"}, {"KEY_PREFIX", "team"}});
  json ran = Invoke(SqsEvent({{"sqs-message-1", bodies[0]}}));
  ASSERT_EQ(ran.value("kind", ""), "response") << ran.dump() << lambda_->Stderr();
  EXPECT_TRUE(BatchItemFailures(ran).empty()) << ran.dump();
  lambda_->Kill();

  StartEmulator();
  StartLambda(api);
  json done = proxy_of(Invoke(V2Event("GET", "/jobs/" + id, "", false)));
  ASSERT_EQ(done.value("statusCode", 0), 200) << done.dump();
  json job = body_of(done);
  EXPECT_EQ(job.value("status", ""), "succeeded") << job.dump();
  const std::string key = job.value("key", "");
  ASSERT_EQ(key.rfind("team/generated_images/from_queue/", 0), 0u) << job.dump();
  auto png = integration::DecodePng(integration::ReadFile(dir_ / ("images/" + key)));
  ASSERT_TRUE(png.has_value()) << key;
  EXPECT_EQ(png->width, 64u);
}

// The worker function's webhooks: a first attempt answered 500 is kept in the outbox beside the
// store ledger, and the next invocation, in another instance of the function (the first is gone,
// as Lambda freezes and reaps them), delivers it with the same webhook-id, signed; the job's
// record, read through the API function, shows the delivery.
TEST_F(LambdaRuntimeTest, AWebhookNotDeliveredIsRetriedByTheNextInvocationOfAnotherInstance) {
  const std::string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const std::filesystem::path posts = dir_ / "posts";
  auto sink = testing::PeerProcess::Start(
      {"/usr/bin/python3", testing::SourceDir() + "/tests/peers/webhook_sink.py", "--standard",
       "--statuses", "500,200", posts.string(), secret});
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  const std::string hook = (*sink)->base_url() + "/hooks/pictor";
  auto posted = [&] {
    std::vector<json> out;
    std::vector<std::filesystem::path> files;
    if (std::filesystem::exists(posts)) {
      for (const auto& e : std::filesystem::directory_iterator(posts)) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files)
      out.push_back(json::parse(integration::ReadFile(f), nullptr, false));
    return out;
  };
  auto body_of = [](const json& doc) {
    json parsed = doc.is_object() ? json::parse(doc.value("body", ""), nullptr, false) : json();
    return parsed.is_object() ? parsed : json::object();
  };
  const std::string queue = "sqlite:" + (dir_ / "queue.db");
  const EnvChanges api = {
      {"PICTOR_QUEUE", queue}, {"PICTOR_JOBS", "store"}, {"KEY_PREFIX", "team"}};
  const EnvChanges worker = {{"PICTOR_JOBS", "store"},
                             {"KEY_PREFIX", "team"},
                             {"PICTOR_WEBHOOK_SECRET", secret},
                             {"PICTOR_WEBHOOK_BACKOFF_MS", "50"}};

  StartLambda(api);
  std::vector<std::string> ids;
  for (int i = 0; i < 2; ++i) {
    json submitted = body_of(Invoke(V2Event("POST", "/jobs", kPng64, false)));
    ASSERT_EQ(submitted.value("statusCode", 0), 202) << submitted.dump() << lambda_->Stderr();
    ids.push_back(body_of(submitted).value("id", ""));
  }
  lambda_->Kill();
  const std::vector<std::string> bodies = QueuedBodies(dir_ / "queue.db");
  ASSERT_EQ(bodies.size(), 2u);

  StartEmulator();
  StartLambda(worker, {"--webhook", hook});
  json first = Invoke(SqsEvent({{"sqs-message-1", bodies[0]}}));
  ASSERT_EQ(first.value("kind", ""), "response") << first.dump() << lambda_->Stderr();
  EXPECT_TRUE(BatchItemFailures(first).empty()) << first.dump();
  ASSERT_EQ(posted().size(), 1u) << lambda_->Stderr();  // attempted once, inline, answered 500
  lambda_->Kill();
  std::this_thread::sleep_for(300ms);  // the retry's wait (50 ms scale) runs out

  StartEmulator();
  StartLambda(worker, {"--webhook", hook});
  json second = Invoke(SqsEvent({{"sqs-message-2", bodies[1]}}));
  ASSERT_EQ(second.value("kind", ""), "response") << second.dump() << lambda_->Stderr();
  const std::vector<json> all = posted();
  ASSERT_EQ(all.size(), 3u) << lambda_->Stderr();  // the retry first, then the second job's
  for (const json& post : all) EXPECT_TRUE(post.value("signature_ok", false)) << post.dump();
  EXPECT_EQ(all[0]["status"], 500);
  EXPECT_EQ(all[1]["status"], 200);
  EXPECT_EQ(all[0]["webhook_id"], all[1]["webhook_id"]);
  EXPECT_EQ(all[1]["body"].value("id", ""), ids[0]) << all[1].dump();
  EXPECT_EQ(all[1]["body"].value("status", ""), "succeeded") << all[1].dump();
  EXPECT_EQ(all[2]["body"].value("id", ""), ids[1]) << all[2].dump();
  lambda_->Kill();

  StartEmulator();
  StartLambda(api);
  json job = body_of(body_of(Invoke(V2Event("GET", "/jobs/" + ids[0], "", false))));
  ASSERT_TRUE(job["webhook"].is_object()) << job.dump();
  EXPECT_EQ(job["webhook"].value("state", ""), "delivered") << job.dump();
  EXPECT_EQ(job["webhook"].value("attempts", 0), 2) << job.dump();
  EXPECT_EQ(job["webhook"].value("last_status", 0), 200) << job.dump();
}

// The Lambda runs jobs on a pipeline of its own (over timed adapters) that must take every
// option of the settings: the key prefix, the prompt limit and the default job size here (the
// unit test PipelineOptions.APipelineOverOtherAdaptersCarriesEveryOption covers the rest).
TEST_F(LambdaRuntimeTest, SqsJobsRunWithThePipelineOptionsOfTheSettings) {
  StartLambda({{"KEY_PREFIX", "opts"}}, {"--max-prompt-chars", "12"});
  json ran = Invoke(SqsEvent({{"short", "a red fox"}, {"long", "a red fox in the deep snow"}}));
  ASSERT_EQ(ran.value("kind", ""), "response") << ran.dump() << lambda_->Stderr();
  EXPECT_EQ(BatchItemFailures(ran), std::set<std::string>{"long"}) << ran.dump();
  const auto pngs = integration::PngFilesUnder(dir_ / "images");
  ASSERT_EQ(pngs.size(), 1u);
  const std::string stored = pngs.front().string();
  EXPECT_NE(stored.find("opts/generated_images/from_queue/builtin_"), std::string::npos) << stored;
  auto png = integration::DecodePng(integration::ReadFile(stored));
  ASSERT_TRUE(png.has_value()) << stored;
  EXPECT_EQ(png->width, static_cast<unsigned>(kDefaultImageWidth));
  EXPECT_EQ(png->height, static_cast<unsigned>(kDefaultImageHeight));
}

// The OpenAI-compatible routes through the real runtime, in both event versions, with an alias
// from PICTOR_MODEL_ALIASES; a bad alias fails the function's init, naming it.
TEST_F(LambdaRuntimeTest, OpenAiRoutesAnswerWithTheConfiguredAliases) {
  StartLambda({{"PICTOR_MODEL_ALIASES", "dall-e-3=builtin"}});
  json v2 = json::parse(Invoke(V2Event("POST", "/v1/images/generations",
                                       R"({"model":"dall-e-3","prompt":"a cat","n":2,)"
                                       R"("size":"96x64","response_format":"b64_json"})",
                                       false))["body"]
                            .get<std::string>());
  ASSERT_EQ(v2.value("statusCode", 0), 200) << v2.dump();
  json images = json::parse(v2["body"].get<std::string>())["data"];
  ASSERT_EQ(images.size(), 2u);
  for (const json& image : images) {
    auto png = integration::DecodePng(UnBase64(image["b64_json"].get<std::string>()));
    ASSERT_TRUE(png.has_value());
    EXPECT_EQ(png->width, 96u);
    EXPECT_EQ(png->height, 64u);
  }
  json v1 = json::parse(Invoke(V1Event("GET", "/v1/models", ""))["body"].get<std::string>());
  ASSERT_EQ(v1.value("statusCode", 0), 200) << v1.dump();
  json listed = json::parse(v1["body"].get<std::string>())["data"];
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0]["id"], "builtin");
  EXPECT_EQ(listed[1]["id"], "dall-e-3");
  json bad = json::parse(Invoke(V1Event("POST", "/v1/images/generations",
                                        R"({"prompt":"x","response_format":"jpeg"})"))["body"]
                             .get<std::string>());
  EXPECT_EQ(bad.value("statusCode", 0), 400) << bad.dump();
  EXPECT_EQ(json::parse(bad["body"].get<std::string>())["error"]["param"], "response_format");
}

TEST_F(LambdaRuntimeTest, ABadModelAliasFailsInit) {
  StartLambda({{"PICTOR_MODEL_ALIASES", "dall-e-3=nosuch:model"}});
  auto exit = lambda_->Wait(30s);
  ASSERT_TRUE(exit.has_value()) << "pictor lambda did not exit";
  EXPECT_TRUE(exit->exited && exit->code != 0);
  auto r = Http("GET", emulator_->base_url() + "/_emulator/init-error?wait_ms=5000");
  ASSERT_EQ(r.status, 200) << r.body;
  json init = json::parse(r.body);
  EXPECT_EQ(init.value("errorType", ""), "Pictor.InvalidArgument");
  json doc = json::parse(init.value("body", "{}"));
  EXPECT_NE(doc.value("errorMessage", "").find("--model-alias dall-e-3"), std::string::npos)
      << init.dump();
}

TEST_F(LambdaRuntimeTest, InitFailureIsReportedOnInitError) {
  StartLambda({{"PICTOR_STORE", "s4://x"}});
  auto exit = lambda_->Wait(30s);
  ASSERT_TRUE(exit.has_value()) << "pictor lambda did not exit";
  EXPECT_TRUE(exit->exited && exit->code != 0);
  auto r = Http("GET", emulator_->base_url() + "/_emulator/init-error?wait_ms=5000");
  ASSERT_EQ(r.status, 200) << r.body;
  json init = json::parse(r.body);
  EXPECT_EQ(init.value("errorType", ""), "Pictor.InvalidArgument");
  json doc = json::parse(init.value("body", "{}"));
  EXPECT_NE(doc.value("errorMessage", "").find("s4://x"), std::string::npos) << init.dump();
}

TEST_F(LambdaRuntimeTest, ThousandInvocationsKeepMemoryBounded) {
  // No ASan quarantine and no allocation stacks, so that memory ASan holds for its own checks
  // does not count as growth (without the sanitizer the options are ignored). 4 MiB over 900
  // invocations catches a leak of about 4.5 KiB per invocation; measured growth is ~0.8 MiB
  // under ASan and ~0.2 MiB in Release.
  StartLambda({{"ASAN_OPTIONS",
                "quarantine_size_mb=0:thread_local_quarantine_size_kb=0:malloc_context_size=0"}});
  long after_100 = 0;
  for (int i = 1; i <= 1000; ++i) {
    json event = i % 2 ? V2Event("POST", "/generate-image", kPng64, true)
                       : SqsEvent({{std::to_string(i).insert(0, 1, 'm'), kPng64}});
    json answer = Invoke(event);
    ASSERT_EQ(answer.value("kind", ""), "response") << i << ": " << answer.dump();
    if (i == 100) after_100 = RssKiB(lambda_->pid());
  }
  long after_1000 = RssKiB(lambda_->pid());
  ASSERT_GT(after_100, 0);
  RecordProperty("rss_after_100_kib", std::to_string(after_100));
  RecordProperty("rss_after_1000_kib", std::to_string(after_1000));
  EXPECT_LT(after_1000 - after_100, 4 * 1024) << after_100 << " KiB -> " << after_1000 << " KiB";
}

}  // namespace
}  // namespace pictor
