#include "harness.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <spng.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

extern char** environ;

namespace pictor::integration {
namespace fs = std::filesystem;

namespace {

// Settings a developer's shell may hold that would change what the binary does.
bool IsPictorSetting(std::string_view name) {
  return name.rfind("PICTOR_", 0) == 0 || name == "SQS_QUEUE_URL" || name == "KEY_PREFIX" ||
         name == "CANDIDATE_PREFIX";
}

std::vector<std::string> ChildEnvironment(const EnvChanges& changes) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry(*e);
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    std::string name(entry.substr(0, eq));
    if (IsPictorSetting(name)) continue;
    env[name] = std::string(entry.substr(eq + 1));
  }
  for (const auto& [name, value] : changes) {
    if (value) {
      env[name] = *value;
    } else {
      env.erase(name);
    }
  }
  std::vector<std::string> out;
  for (const auto& [name, value] : env) out.push_back(name + "=" + value);
  return out;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

ExitStatus Decode(int wstatus) {
  ExitStatus s;
  if (WIFEXITED(wstatus)) {
    s.exited = true;
    s.code = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    s.signal = WTERMSIG(wstatus);
  }
  return s;
}

void EnsureCurl() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t AppendBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t AppendHeader(char* data, size_t size, size_t n, void* user) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(user);
  std::string_view line(data, size * n);
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
      value.remove_prefix(1);
    }
    while (!value.empty() &&
           (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
      value.remove_suffix(1);
    }
    (*headers)[name] = std::string(value);
  } else if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();  // a new response (after 100 Continue or a redirect)
  }
  return size * n;
}

}  // namespace

std::string PictorBinary() {
  const char* bin = std::getenv("PICTOR_BIN");
  return bin == nullptr ? "" : bin;
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/pictor-integ-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp failed: " << std::strerror(errno);
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::unique_ptr<Process> Process::Spawn(const std::vector<std::string>& argv, const EnvChanges& env,
                                        const fs::path& cwd, const fs::path& log_dir,
                                        std::string* error) {
  static int counter = 0;
  std::string stem = fs::path(argv.at(0)).filename().string() + "-" + std::to_string(++counter);
  fs::path out = log_dir / (stem + ".stdout");
  fs::path err = log_dir / (stem + ".stderr");

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());

  // The child starts with default signal dispositions and nothing blocked, whatever this
  // process has set.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<std::string> args = argv;
  std::vector<std::string> envs = ChildEnvironment(env);
  std::vector<char*> c_args = CStrings(args);
  std::vector<char*> c_env = CStrings(envs);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0].c_str(), &actions, &attr, c_args.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    *error = "posix_spawn " + argv[0] + ": " + std::strerror(rc);
    return nullptr;
  }
  return std::unique_ptr<Process>(new Process(pid, out, err));
}

Process::~Process() {
  if (Running()) Kill();
}

bool Process::Running() {
  if (status_) return false;
  int wstatus = 0;
  pid_t r = ::waitpid(pid_, &wstatus, WNOHANG);
  if (r == pid_) {
    status_ = Decode(wstatus);
    return false;
  }
  return r == 0;
}

void Process::Signal(int sig) {
  if (Running()) ::kill(pid_, sig);
}

std::optional<ExitStatus> Process::Wait(std::chrono::milliseconds timeout) {
  WaitUntil([&] { return !Running(); }, timeout, 5ms);
  return status_;
}

ExitStatus Process::Kill() {
  if (!status_) {
    ::kill(pid_, SIGKILL);
    int wstatus = 0;
    while (::waitpid(pid_, &wstatus, 0) < 0 && errno == EINTR) {
    }
    status_ = Decode(wstatus);
  }
  return *status_;
}

std::string Process::Stdout() const { return ReadFile(out_); }
std::string Process::Stderr() const { return ReadFile(err_); }

RunResult RunPictor(const TempDir& dir, const std::vector<std::string>& args, const EnvChanges& env,
                    std::chrono::milliseconds timeout) {
  std::vector<std::string> argv = {PictorBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(dir, argv, env, timeout);
}

RunResult RunCommand(const TempDir& dir, const std::vector<std::string>& argv,
                     const EnvChanges& env, std::chrono::milliseconds timeout) {
  RunResult result;
  std::string error;
  auto p = Process::Spawn(argv, env, dir.path(), dir.path(), &error);
  if (!p) {
    result.err = error;
    return result;
  }
  if (auto st = p->Wait(timeout)) {
    result.status = *st;
  } else {
    result.timed_out = true;
    result.status = p->Kill();
  }
  result.out = p->Stdout();
  result.err = p->Stderr();
  return result;
}

bool WaitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
               std::chrono::milliseconds interval) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return condition();
    std::this_thread::sleep_for(interval);
  }
}

std::string StoreSpec(const TempDir& dir) { return "file:" + (dir / "images"); }
std::string QueuePath(const TempDir& dir) { return dir / "queue.db"; }
std::string QueueSpec(const TempDir& dir) { return "sqlite:" + QueuePath(dir); }

std::optional<QueueAttributes> QueueState(const std::string& path) {
  SqliteQueueOptions options;
  options.path = path;
  auto queue = OpenSqliteQueue(options);
  if (!queue.ok()) return std::nullopt;
  auto attributes = (*queue)->Attributes();
  if (!attributes.ok()) return std::nullopt;
  return *attributes;
}

std::vector<std::string> SendToQueue(const std::string& path,
                                     const std::vector<std::string>& bodies) {
  SqliteQueueOptions options;
  options.path = path;
  auto queue = OpenSqliteQueue(options);
  if (!queue.ok()) {
    ADD_FAILURE() << "opening " << path << ": " << queue.status().ToString();
    return {};
  }
  std::vector<std::string> ids;
  for (size_t i = 0; i < bodies.size(); i += kMaxBatch) {
    std::vector<OutgoingMessage> batch;
    for (size_t j = i; j < std::min(bodies.size(), i + kMaxBatch); ++j) {
      batch.push_back(OutgoingMessage{bodies[j], std::chrono::seconds(0)});
    }
    auto sent = (*queue)->SendBatch(batch);
    if (!sent.ok()) {
      ADD_FAILURE() << "SendBatch: " << sent.status().ToString();
      return {};
    }
    for (const auto& one : *sent) {
      if (!one.ok()) {
        ADD_FAILURE() << "SendBatch entry: " << one.status().ToString();
        return {};
      }
      ids.push_back(one->message_id);
    }
  }
  return ids;
}

std::vector<DeadLetteredMessage> DeadLetters(const std::string& path) {
  SqliteQueueOptions options;
  options.path = path;
  auto letters = ListDeadLetters(options);
  return letters.ok() ? *letters : std::vector<DeadLetteredMessage>{};
}

testing::AssertionResult StartServe(const TempDir& dir, Server* server,
                                    const std::vector<std::string>& extra_args,
                                    const EnvChanges& env) {
  static int counter = 0;
  const std::string port_file = dir / ("serve-" + std::to_string(++counter) + ".port");
  std::vector<std::string> argv = {PictorBinary(), "serve",       "--listen", "127.0.0.1:0",
                                   "--port-file",  port_file,     "--store",  StoreSpec(dir),
                                   "--queue",      QueueSpec(dir)};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  std::string error;
  server->process = Process::Spawn(argv, env, dir.path(), dir.path(), &error);
  if (!server->process) return testing::AssertionFailure() << error;
  bool up = WaitUntil(
      [&] {
        if (!server->process->Running()) return true;
        std::string text = ReadFile(port_file);
        return !text.empty() && text.back() == '\n';
      },
      30s);
  if (!server->process->Running()) {
    return testing::AssertionFailure() << "pictor serve exited during start-up; stderr:\n"
                                       << server->process->Stderr();
  }
  if (!up) {
    return testing::AssertionFailure() << "pictor serve wrote no port file in 30 s; stderr:\n"
                                       << server->process->Stderr();
  }
  server->port = static_cast<uint16_t>(std::stoi(ReadFile(port_file)));
  server->base_url = "http://127.0.0.1:" + std::to_string(server->port);
  return testing::AssertionSuccess();
}

testing::AssertionResult StartWorker(const TempDir& dir, std::unique_ptr<Process>* worker,
                                     const std::vector<std::string>& extra_args,
                                     const EnvChanges& env) {
  std::vector<std::string> argv = {PictorBinary(), "worker",  "--store",
                                   StoreSpec(dir), "--queue", QueueSpec(dir)};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  std::string error;
  *worker = Process::Spawn(argv, env, dir.path(), dir.path(), &error);
  if (!*worker) return testing::AssertionFailure() << error;
  return testing::AssertionSuccess();
}

std::string HttpResult::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

HttpResult Http(const std::string& method, const std::string& url, const std::string& body,
                const std::vector<std::pair<std::string, std::string>>& headers) {
  EnsureCurl();
  HttpResult result;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    result.error = "curl_easy_init failed";
    return result;
  }
  curl_slist* list = nullptr;
  bool has_type = false;
  for (const auto& [name, value] : headers) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "content-type") has_type = true;
    // "Name:" removes a header curl would add; "Name;" sends it empty.
    list = curl_slist_append(list, (name + ":" + (value.empty() ? "" : " " + value)).c_str());
  }
  const bool sends_body = method == "POST" || method == "PUT" || method == "PATCH";
  if (sends_body && !has_type) list = curl_slist_append(list, "Content-Type: application/json");
  list = curl_slist_append(list, "Expect:");

  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 60000L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, AppendHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &result.headers);
  if (method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  if (sends_body) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
  } else {
    result.error = std::string(curl_easy_strerror(rc)) + ": " + errbuf;
  }
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return result;
}

std::optional<PngInfo> DecodePng(const std::string& bytes) {
  spng_ctx* ctx = spng_ctx_new(0);
  if (ctx == nullptr) return std::nullopt;
  std::optional<PngInfo> info;
  spng_ihdr ihdr{};
  size_t size = 0;
  if (spng_set_png_buffer(ctx, bytes.data(), bytes.size()) == 0 && spng_get_ihdr(ctx, &ihdr) == 0 &&
      spng_decoded_image_size(ctx, SPNG_FMT_RGBA8, &size) == 0) {
    std::vector<unsigned char> pixels(size);
    // Decoding every row checks every chunk's CRC and the zlib stream to its end.
    if (spng_decode_image(ctx, pixels.data(), pixels.size(), SPNG_FMT_RGBA8, 0) == 0) {
      info = PngInfo{ihdr.width, ihdr.height};
    }
  }
  spng_ctx_free(ctx);
  return info;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<fs::path> PngFilesUnder(const fs::path& root) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (!fs::exists(root, ec)) return files;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file(ec) && it->path().extension() == ".png") files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace pictor::integration
