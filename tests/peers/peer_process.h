// A test peer (fauxqs, a fake model endpoint, ...) run as a child process for the length of a
// test: started with a command line, ready when it prints "port N" on stdout, killed (and
// waited for) when the object goes away.
#ifndef PICTOR_TESTS_PEERS_PEER_PROCESS_H_
#define PICTOR_TESTS_PEERS_PEER_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "pictor/status.h"

namespace pictor::testing {

class PeerProcess {
 public:
  // Runs argv[0] (looked up in PATH) with `argv` and the current environment plus `env`
  // ("NAME=value"), and waits up to `timeout` for a "port N" line. The child's stderr goes to
  // the test's stderr.
  static Result<std::unique_ptr<PeerProcess>> Start(
      const std::vector<std::string>& argv, const std::vector<std::string>& env = {},
      std::chrono::milliseconds timeout = std::chrono::seconds(20));

  PeerProcess(const PeerProcess&) = delete;
  PeerProcess& operator=(const PeerProcess&) = delete;
  ~PeerProcess();  // SIGTERM, then SIGKILL after 3 s

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  PeerProcess(pid_t pid, int port) : pid_(pid), port_(port) {}
  pid_t pid_;
  int port_;
};

// The repository root: PICTOR_SOURCE_DIR, or the working directory (ctest runs tests there).
std::string SourceDir();

// Starts fauxqs (SQS, S3 and SNS emulator; tools/node_modules, installed by the Makefile) on
// 127.0.0.1 and a free port. Fails with a message saying how to install it when missing.
Result<std::unique_ptr<PeerProcess>> StartFauxqs();

// Starts tests/peers/fake_model_server.py (Bedrock InvokeModel and OpenAI images/generations) on
// 127.0.0.1 and a free port, with `args` (its --region, --access-key-id, --secret-access-key,
// --openai-key).
Result<std::unique_ptr<PeerProcess>> StartFakeModelServer(std::vector<std::string> args = {});

// Starts tests/peers/sts_peer.py (STS AssumeRole and AssumeRoleWithWebIdentity; needs Debian's
// python3-botocore) on 127.0.0.1 and a free port, with `args` (its --region, --identity).
Result<std::unique_ptr<PeerProcess>> StartStsPeer(std::vector<std::string> args = {});

}  // namespace pictor::testing

#endif  // PICTOR_TESTS_PEERS_PEER_PROCESS_H_
