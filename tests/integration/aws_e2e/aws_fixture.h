// The fixture of the AWS end-to-end tests: fauxqs (SQS and S3) on a free loopback port, Debian's
// AWS CLI (/usr/bin/aws) pointed at it, and the real `pictor` binary run with the same AWS
// environment. Processes are started through the integration harness (tests/integration).
//
// Thread-safety: none; each test uses its fixture from one thread. Failures are reported as
// gtest failures or empty results, never thrown.
#ifndef PICTOR_TESTS_INTEGRATION_AWS_E2E_AWS_FIXTURE_H_
#define PICTOR_TESTS_INTEGRATION_AWS_E2E_AWS_FIXTURE_H_

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "integration/harness.h"
#include "peers/peer_process.h"

namespace pictor::aws_e2e {

using namespace std::chrono_literals;
using integration::EnvChanges;
using integration::Process;
using integration::RunResult;
using integration::TempDir;

inline constexpr const char* kAwsCli = "/usr/bin/aws";  // Debian's, never another on PATH

// The messages of the original system's flow (Norwegian, with non-ASCII letters).
inline constexpr const char* kNorwegianPrompt =
    "En katt og en hund som utforsker verdensrommet sammen";

// SQS counts read with `aws sqs get-queue-attributes`.
struct QueueDepth {
  long visible = -1;
  long in_flight = -1;
  bool Empty() const { return visible == 0 && in_flight == 0; }
};

class AwsPeersTest : public ::testing::Test {
 protected:
  // Checks /usr/bin/aws and PICTOR_BIN, starts fauxqs. A missing piece fails the test with the
  // package or target to install.
  void SetUp() override;
  void TearDown() override;

  // The environment of every pictor process and CLI call: static test keys, us-east-1, no
  // shared files or instance metadata, AWS_ENDPOINT_URL = fauxqs (the CLI also gets
  // --endpoint-url, as Debian's 2.9 ignores the variable).
  EnvChanges AwsEnv() const;
  std::string Endpoint() const { return fauxqs_->base_url(); }

  // Runs `/usr/bin/aws --endpoint-url <fauxqs> --output json ARGS...` to completion.
  RunResult Aws(const std::vector<std::string>& args, std::chrono::milliseconds timeout = 60s);
  // The same, expecting exit 0 and JSON on stdout (null, after a test failure, otherwise).
  nlohmann::json AwsJson(const std::vector<std::string>& args);

  // `aws s3 mb`; false after a test failure.
  bool MakeBucket(const std::string& bucket);
  // `aws sqs create-queue`; the queue URL, or "" after a test failure.
  std::string MakeQueue(const std::string& name);
  // `aws s3 ls --recursive s3://BUCKET/`: every key; nullopt when the CLI failed.
  std::optional<std::vector<std::string>> ListKeys(const std::string& bucket);
  // `aws sqs get-queue-attributes`; -1 counts when the CLI failed.
  QueueDepth Depth(const std::string& queue_url);

  // `pictor ARGS...` to completion / in the background, in the test directory with AwsEnv()
  // plus `extra_env`.
  RunResult Pictor(const std::vector<std::string>& args, const EnvChanges& extra_env = {},
                   std::chrono::milliseconds timeout = 60s);
  std::unique_ptr<Process> SpawnPictor(const std::vector<std::string>& args,
                                       const EnvChanges& extra_env = {});

  TempDir dir_;
  std::unique_ptr<pictor::testing::PeerProcess> fauxqs_;
};

// Keys of `keys` that start with `prefix` and end in ".png".
std::vector<std::string> PngKeysUnder(const std::vector<std::string>& keys,
                                      const std::string& prefix);

}  // namespace pictor::aws_e2e

#endif  // PICTOR_TESTS_INTEGRATION_AWS_E2E_AWS_FIXTURE_H_
