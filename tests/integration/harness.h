// The harness of the end-to-end tests: they run the real `pictor` binary (path in env
// PICTOR_BIN) as child processes in a fresh temporary directory, talk to `pictor serve` over
// HTTP with libcurl, and inspect what lands in the file store and the SQLite queue.
//
// Thread-safety: none of these types is thread-safe; each test uses its own from one thread.
// Errors are returned as values (gtest AssertionResult or an empty optional), never thrown.
#ifndef PICTOR_TESTS_INTEGRATION_HARNESS_H_
#define PICTOR_TESTS_INTEGRATION_HARNESS_H_

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pictor/job_queue.h"
#include "queue/sqlite/sqlite_queue.h"

namespace pictor::integration {

using namespace std::chrono_literals;

// The pictor binary under test (env PICTOR_BIN); empty when the variable is unset.
std::string PictorBinary();

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string operator/(std::string_view name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Environment changes for a child: value = nullopt removes the variable. The child starts
// from this process's environment minus every Pictor setting (PICTOR_*, SQS_QUEUE_URL,
// KEY_PREFIX, CANDIDATE_PREFIX), so tests do not depend on the caller's shell.
using EnvChanges = std::map<std::string, std::optional<std::string>>;

struct ExitStatus {
  bool exited = false;  // normal exit; otherwise killed by `signal`
  int code = -1;
  int signal = 0;
};

// One child process whose stdout and stderr go to files in `log_dir`. The destructor kills
// (SIGKILL) and reaps a child that is still running.
class Process {
 public:
  // Starts `argv[0]` (a path) with its arguments in working directory `cwd`. Returns null and
  // sets *error when the process cannot be started.
  static std::unique_ptr<Process> Spawn(const std::vector<std::string>& argv, const EnvChanges& env,
                                        const std::filesystem::path& cwd,
                                        const std::filesystem::path& log_dir, std::string* error);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  // True until the child has been reaped.
  bool Running();
  void Signal(int sig);
  // Waits until the child exits or `timeout` passes; nullopt on timeout (the child runs on).
  std::optional<ExitStatus> Wait(std::chrono::milliseconds timeout);
  // Kills with SIGKILL and reaps.
  ExitStatus Kill();

  std::string Stdout() const;
  std::string Stderr() const;

 private:
  Process(pid_t pid, std::filesystem::path out, std::filesystem::path err)
      : pid_(pid), out_(std::move(out)), err_(std::move(err)) {}

  pid_t pid_;
  std::optional<ExitStatus> status_;
  std::filesystem::path out_;
  std::filesystem::path err_;
};

// The result of running a command to completion.
struct RunResult {
  ExitStatus status;
  bool timed_out = false;
  std::string out;
  std::string err;
  int code() const { return status.exited ? status.code : -1; }
};

// Runs `pictor ARGS...` in `dir` and waits for it (killing it after `timeout`).
RunResult RunPictor(const TempDir& dir, const std::vector<std::string>& args,
                    const EnvChanges& env = {}, std::chrono::milliseconds timeout = 60s);

// Runs any command (argv[0] a path) in `dir` to completion, killed after `timeout`.
RunResult RunCommand(const TempDir& dir, const std::vector<std::string>& argv,
                     const EnvChanges& env = {}, std::chrono::milliseconds timeout = 60s);

// Polls `condition` every `interval` until it holds or `timeout` passes; returns its last value.
bool WaitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
               std::chrono::milliseconds interval = 20ms);

// A running `pictor serve --listen 127.0.0.1:0` whose port is known.
struct Server {
  std::unique_ptr<Process> process;
  uint16_t port = 0;
  std::string base_url;  // "http://127.0.0.1:PORT"
};

// Starts `pictor serve --listen 127.0.0.1:0 --port-file ... --store file:DIR/images
// --queue sqlite:DIR/queue.db` plus `extra_args`, and waits (bounded) for its port file. Fails
// with the server's stderr when it exits or does not listen in time.
testing::AssertionResult StartServe(const TempDir& dir, Server* server,
                                    const std::vector<std::string>& extra_args = {},
                                    const EnvChanges& env = {});

// Starts `pictor worker` on the test directory's store and queue plus `extra_args`.
testing::AssertionResult StartWorker(const TempDir& dir, std::unique_ptr<Process>* worker,
                                     const std::vector<std::string>& extra_args = {},
                                     const EnvChanges& env = {});

// Spec strings of the test directory's store and queue.
std::string StoreSpec(const TempDir& dir);  // file:DIR/images
std::string QueueSpec(const TempDir& dir);  // sqlite:DIR/queue.db
std::string QueuePath(const TempDir& dir);  // DIR/queue.db

// The counts of the SQLite queue at `path`, read through the adapter (safe while pictor
// processes use it); nullopt when it cannot be opened.
std::optional<QueueAttributes> QueueState(const std::string& path);
// Sends `bodies` to the SQLite queue at `path` in batches; returns their message ids in order
// (empty when any send failed, after adding a test failure).
std::vector<std::string> SendToQueue(const std::string& path,
                                     const std::vector<std::string>& bodies);
// Its dead letters, oldest first.
std::vector<DeadLetteredMessage> DeadLetters(const std::string& path);

struct HttpResult {
  long status = 0;  // 0 when the request failed at the transport level
  std::string error;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string Header(const std::string& lower_name) const;
};

// One HTTP request with libcurl. A POST/PUT without a Content-Type in `headers` is sent as
// application/json; give {"Content-Type", ""} to send none.
HttpResult Http(const std::string& method, const std::string& url, const std::string& body = {},
                const std::vector<std::pair<std::string, std::string>>& headers = {});

// A decoded PNG's header, when the bytes are a complete PNG whose every chunk checks out.
struct PngInfo {
  uint32_t width = 0;
  uint32_t height = 0;
};
std::optional<PngInfo> DecodePng(const std::string& bytes);

std::string ReadFile(const std::filesystem::path& path);

// Regular files under `root` (recursively) whose names end in ".png", sorted.
std::vector<std::filesystem::path> PngFilesUnder(const std::filesystem::path& root);

}  // namespace pictor::integration

#endif  // PICTOR_TESTS_INTEGRATION_HARNESS_H_
