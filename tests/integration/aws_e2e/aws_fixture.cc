#include "integration/aws_e2e/aws_fixture.h"

#include <filesystem>
#include <sstream>

namespace pictor::aws_e2e {

void AwsPeersTest::SetUp() {
  ASSERT_TRUE(std::filesystem::exists(kAwsCli))
      << kAwsCli << " is missing: apt-get install awscli (Debian's AWS CLI v2)";
  ASSERT_FALSE(integration::PictorBinary().empty()) << "PICTOR_BIN is not set";
  auto peer = pictor::testing::StartFauxqs();
  ASSERT_TRUE(peer.ok()) << peer.status().ToString();
  fauxqs_ = std::move(peer).value();
}

void AwsPeersTest::TearDown() { fauxqs_.reset(); }

EnvChanges AwsPeersTest::AwsEnv() const {
  return {
      {"AWS_ACCESS_KEY_ID", "test"},
      {"AWS_SECRET_ACCESS_KEY", "test"},
      {"AWS_SESSION_TOKEN", std::nullopt},
      {"AWS_PROFILE", std::nullopt},
      {"AWS_REGION", "us-east-1"},
      {"AWS_DEFAULT_REGION", "us-east-1"},
      {"AWS_EC2_METADATA_DISABLED", "true"},
      {"AWS_CONFIG_FILE", "/nonexistent/aws-config"},
      {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials"},
      {"AWS_ENDPOINT_URL", fauxqs_ ? fauxqs_->base_url() : ""},
      {"AWS_ENDPOINT_URL_SQS", std::nullopt},
      {"AWS_ENDPOINT_URL_S3", std::nullopt},
      {"AWS_PAGER", ""},
  };
}

RunResult AwsPeersTest::Aws(const std::vector<std::string>& args,
                            std::chrono::milliseconds timeout) {
  std::vector<std::string> argv = {kAwsCli, "--endpoint-url", Endpoint(), "--output", "json"};
  argv.insert(argv.end(), args.begin(), args.end());
  return integration::RunCommand(dir_, argv, AwsEnv(), timeout);
}

nlohmann::json AwsPeersTest::AwsJson(const std::vector<std::string>& args) {
  RunResult r = Aws(args);
  EXPECT_EQ(r.code(), 0) << "aws " << args.at(0) << " " << args.at(1) << ": " << r.err;
  if (r.code() != 0) return nullptr;
  nlohmann::json reply = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_FALSE(reply.is_discarded()) << r.out;
  return reply.is_discarded() ? nlohmann::json(nullptr) : reply;
}

bool AwsPeersTest::MakeBucket(const std::string& bucket) {
  RunResult r = Aws({"s3", "mb", "s3://" + bucket});
  EXPECT_EQ(r.code(), 0) << r.err;
  return r.code() == 0;
}

std::string AwsPeersTest::MakeQueue(const std::string& name) {
  nlohmann::json reply = AwsJson({"sqs", "create-queue", "--queue-name", name});
  std::string url = reply.is_object() ? reply.value("QueueUrl", "") : "";
  EXPECT_FALSE(url.empty()) << reply.dump();
  return url;
}

std::optional<std::vector<std::string>> AwsPeersTest::ListKeys(const std::string& bucket) {
  RunResult r = Aws({"s3", "ls", "--recursive", "s3://" + bucket + "/"});
  // `aws s3 ls` exits 1 for an empty listing.
  if (r.code() != 0 && !(r.code() == 1 && r.out.empty() && r.err.empty())) return std::nullopt;
  std::vector<std::string> keys;
  std::istringstream lines(r.out);
  std::string line;
  while (std::getline(lines, line)) {
    // "2026-01-02 03:04:05       1234 some/key.png"
    std::istringstream fields(line);
    std::string date, time, size;
    if (!(fields >> date >> time >> size)) continue;
    std::string key;
    std::getline(fields >> std::ws, key);
    if (!key.empty()) keys.push_back(key);
  }
  return keys;
}

QueueDepth AwsPeersTest::Depth(const std::string& queue_url) {
  RunResult r =
      Aws({"sqs", "get-queue-attributes", "--queue-url", queue_url, "--attribute-names", "All"});
  QueueDepth depth;
  if (r.code() != 0) return depth;
  nlohmann::json reply = nlohmann::json::parse(r.out, nullptr, false);
  if (reply.is_discarded() || !reply.contains("Attributes")) return depth;
  const nlohmann::json& a = reply["Attributes"];
  depth.visible = std::stol(a.value("ApproximateNumberOfMessages", "-1"));
  depth.in_flight = std::stol(a.value("ApproximateNumberOfMessagesNotVisible", "-1"));
  return depth;
}

RunResult AwsPeersTest::Pictor(const std::vector<std::string>& args, const EnvChanges& extra_env,
                               std::chrono::milliseconds timeout) {
  EnvChanges env = AwsEnv();
  for (const auto& [name, value] : extra_env) env[name] = value;
  return integration::RunPictor(dir_, args, env, timeout);
}

std::unique_ptr<Process> AwsPeersTest::SpawnPictor(const std::vector<std::string>& args,
                                                   const EnvChanges& extra_env) {
  EnvChanges env = AwsEnv();
  for (const auto& [name, value] : extra_env) env[name] = value;
  std::vector<std::string> argv = {integration::PictorBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::string error;
  auto p = Process::Spawn(argv, env, dir_.path(), dir_.path(), &error);
  EXPECT_NE(p, nullptr) << error;
  return p;
}

std::vector<std::string> PngKeysUnder(const std::vector<std::string>& keys,
                                      const std::string& prefix) {
  std::vector<std::string> found;
  for (const std::string& key : keys) {
    if (key.rfind(prefix, 0) == 0 && key.size() > 4 && key.substr(key.size() - 4) == ".png") {
      found.push_back(key);
    }
  }
  return found;
}

}  // namespace pictor::aws_e2e
