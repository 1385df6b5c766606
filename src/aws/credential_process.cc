// Running a credential_process program and reading its answer.
#include "aws/credential_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <optional>
#include <thread>

extern char** environ;

namespace pictor::aws {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Closes a descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Close(); }
  int get() const { return fd_; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

milliseconds Left(steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<milliseconds>(deadline - steady_clock::now());
  return left.count() > 0 ? left : milliseconds(0);
}

// Waits for the child until the deadline; nullopt when it is still running then.
std::optional<int> WaitUntil(pid_t pid, steady_clock::time_point deadline) {
  while (true) {
    int status = 0;
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return status;
    if (done < 0 && errno != EINTR) return status;  // already reaped elsewhere: nothing to wait
    if (Left(deadline).count() == 0) return std::nullopt;
    std::this_thread::sleep_for(milliseconds(5));
  }
}

void KillAndReap(pid_t pid) {
  ::kill(-pid, SIGKILL);  // the child leads its own process group: its children go too
  ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

std::string JsonText(const nlohmann::json& doc, const char* key, bool* wrong_type) {
  auto it = doc.find(key);
  if (it == doc.end() || it->is_null()) return {};
  if (!it->is_string()) {
    *wrong_type = true;
    return {};
  }
  return it->get<std::string>();
}

}  // namespace

Result<std::vector<std::string>> SplitCommandLine(std::string_view command) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < command.size(); ++i) {
    char c = command[i];
    if (IsBlank(c)) {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\\') {
      if (++i == command.size()) {
        return Status::InvalidArgument("credential_process ends with a lone backslash");
      }
      if (command[i] != '\n') word += command[i];  // backslash-newline joins lines
    } else if (c == '\'') {
      size_t end = command.find('\'', i + 1);
      if (end == std::string_view::npos) {
        return Status::InvalidArgument("credential_process has an unterminated ' quote");
      }
      word.append(command.substr(i + 1, end - i - 1));
      i = end;
    } else if (c == '"') {
      for (++i;; ++i) {
        if (i >= command.size()) {
          return Status::InvalidArgument("credential_process has an unterminated \" quote");
        }
        if (command[i] == '"') break;
        if (command[i] == '\\' && i + 1 < command.size() &&
            std::string_view("\"\\$`\n").find(command[i + 1]) != std::string_view::npos) {
          ++i;
          if (command[i] == '\n') continue;
        }
        word += command[i];
      }
    } else {
      word += c;
    }
  }
  if (in_word) words.push_back(std::move(word));
  if (words.empty()) return Status::InvalidArgument("credential_process is empty");
  return words;
}

Result<std::string> RunCredentialProcess(std::string_view command, const ProcessOptions& options) {
  Result<std::vector<std::string>> argv = SplitCommandLine(command);
  if (!argv.ok()) return argv.status();
  const std::string name = "credential_process '" + argv->front() + "'";
  std::vector<char*> args;
  for (std::string& word : *argv) args.push_back(word.data());
  args.push_back(nullptr);

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return Status::Internal("cannot make a pipe for " + name + ": " + std::strerror(errno));
  }
  Fd read_end(pipe_fds[0]);
  Fd write_end(pipe_fds[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDOUT_FILENO);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, args[0], &actions, &attributes, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  write_end.Close();
  if (rc != 0) return Status::InvalidArgument("cannot run " + name + ": " + std::strerror(rc));

  const auto deadline = steady_clock::now() + options.timeout;
  std::string out;
  while (true) {
    pollfd ready{read_end.get(), POLLIN, 0};
    int polled = ::poll(&ready, 1, static_cast<int>(Left(deadline).count()));
    if (polled < 0 && errno == EINTR) continue;
    if (polled == 0) {
      KillAndReap(pid);
      return Status::DeadlineExceeded(name + " did not finish within " +
                                      std::to_string(options.timeout.count()) + " ms");
    }
    char buffer[4096];
    ssize_t n = ::read(read_end.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buffer, static_cast<size_t>(n));
    if (out.size() > options.max_output) {
      KillAndReap(pid);
      return Status::Internal(name + " printed more than " + std::to_string(options.max_output) +
                              " bytes");
    }
  }
  std::optional<int> status = WaitUntil(pid, deadline);
  if (!status) {
    KillAndReap(pid);
    return Status::DeadlineExceeded(name + " did not exit within " +
                                    std::to_string(options.timeout.count()) + " ms");
  }
  if (WIFSIGNALED(*status)) {
    return Status::Unavailable(name + " was killed by signal " + std::to_string(WTERMSIG(*status)));
  }
  if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
    return Status::Unavailable(name + " exited with status " +
                               std::to_string(WEXITSTATUS(*status)) + " (its stderr says why)");
  }
  return out;
}

Result<TimedCredentials> ReadProcessCredentials(std::string_view json, std::string source_name) {
  const std::string what = "credential_process output (" + source_name + ")";
  nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return Status::Internal(what + " is not a JSON object");
  auto version = doc.find("Version");
  if (version == doc.end() || !version->is_number_integer()) {
    return Status::Internal(what + " has no integer Version");
  }
  if (version->get<int64_t>() != 1) {
    return Status::Unsupported(what + " has Version " + std::to_string(version->get<int64_t>()) +
                               "; only Version 1 is defined");
  }
  bool wrong_type = false;
  TimedCredentials out;
  out.source = std::move(source_name);
  out.credentials.access_key_id = JsonText(doc, "AccessKeyId", &wrong_type);
  out.credentials.secret_access_key = JsonText(doc, "SecretAccessKey", &wrong_type);
  out.credentials.session_token = JsonText(doc, "SessionToken", &wrong_type);
  std::string expiration = JsonText(doc, "Expiration", &wrong_type);
  if (wrong_type) return Status::Internal(what + " has a field that is not a string");
  if (out.credentials.access_key_id.empty() || out.credentials.secret_access_key.empty()) {
    return Status::Internal(what + " lacks AccessKeyId or SecretAccessKey");
  }
  if (!expiration.empty()) {
    out.expiration = ParseIso8601(expiration);
    if (!out.expiration) return Status::Internal(what + " has an unreadable Expiration");
  }
  return out;
}

Result<TimedCredentials> CredentialsFromProcess(std::string_view command,
                                                const ProcessOptions& options,
                                                std::string source_name) {
  Result<std::string> output = RunCredentialProcess(command, options);
  if (!output.ok()) return output.status().WithContext(source_name);
  return ReadProcessCredentials(*output, std::move(source_name));
}

}  // namespace pictor::aws
