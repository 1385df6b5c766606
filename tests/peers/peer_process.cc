#include "peers/peer_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

extern char** environ;

namespace pictor::testing {

Result<std::unique_ptr<PeerProcess>> PeerProcess::Start(const std::vector<std::string>& argv,
                                                        const std::vector<std::string>& env,
                                                        std::chrono::milliseconds timeout) {
  if (argv.empty()) return Status::InvalidArgument("no command");
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return Status::Internal("pipe failed");

  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  for (const auto& e : env) env_strings.push_back(e);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> argp;
  for (auto& a : args) argp.push_back(a.data());
  argp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, argp[0], &actions, nullptr, argp.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    return Status::Unavailable("cannot start " + argv[0] + ": " + std::strerror(rc));
  }

  std::string seen;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int port = 0;
  while (port == 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{out[0], POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[512];
    ssize_t n = read(out[0], buf, sizeof buf);
    if (n <= 0) break;  // the child closed stdout: it died
    seen.append(buf, static_cast<size_t>(n));
    size_t at = seen.find("port ");
    if (at != std::string::npos && seen.find('\n', at) != std::string::npos) {
      port = std::atoi(seen.c_str() + at + 5);
    }
  }
  close(out[0]);
  auto peer = std::unique_ptr<PeerProcess>(new PeerProcess(pid, port));
  if (port == 0) {
    return Status::Unavailable(argv[0] + " did not report its port; it printed: " + seen);
  }
  return peer;
}

PeerProcess::~PeerProcess() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 300; ++i) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

std::string SourceDir() {
  if (const char* dir = std::getenv("PICTOR_SOURCE_DIR"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  return std::filesystem::current_path().string();  // ctest runs every test from the root
}

Result<std::unique_ptr<PeerProcess>> StartFauxqs() {
  std::string root = SourceDir();
  std::string module = root + "/tools/node_modules/fauxqs/dist/app.js";
  if (!std::filesystem::exists(module)) {
    return Status::FailedPrecondition(module +
                                      " is missing: run `make deps-test` (npm ci --prefix tools)");
  }
  return PeerProcess::Start({"node", root + "/tests/peers/fauxqs.mjs"});
}

Result<std::unique_ptr<PeerProcess>> StartFakeModelServer(std::vector<std::string> args) {
  args.insert(args.begin(),
              {"/usr/bin/python3", SourceDir() + "/tests/peers/fake_model_server.py"});
  return PeerProcess::Start(args);
}

Result<std::unique_ptr<PeerProcess>> StartStsPeer(std::vector<std::string> args) {
  args.insert(args.begin(), {"/usr/bin/python3", SourceDir() + "/tests/peers/sts_peer.py"});
  return PeerProcess::Start(args);
}

}  // namespace pictor::testing
