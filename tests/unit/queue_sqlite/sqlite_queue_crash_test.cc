// Durability of the SQLite queue against SIGKILL: a child process sends or receives/deletes
// in a loop and is killed mid-flight; afterwards the file must be intact, hold every message
// whose Send was acknowledged, and still deliver every message that was not deleted.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "queue/sqlite/sqlite_queue.h"
#include "queue_fixture.h"

extern char** environ;

namespace pictor::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

struct ChildOutput {
  std::set<std::string> acknowledged;  // "A": Send returned OK
  std::set<std::string> attempted;     // "d": Delete about to be called
  std::set<std::string> deleted;       // "D": Delete returned OK
};

void Parse(const std::string& text, ChildOutput& out) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (lines.eof()) break;  // a partial last line was never fully written: ignore it
    if (line.size() < 3) continue;
    const std::string id = line.substr(2);
    if (line[0] == 'A') out.acknowledged.insert(id);
    if (line[0] == 'd') out.attempted.insert(id);
    if (line[0] == 'D') out.deleted.insert(id);
  }
}

// Starts the child, reads its output for at least `run` and until it printed `min_lines`
// lines (bounded by 60 s), SIGKILLs it and returns everything it printed.
std::string RunAndKill(const std::string& mode, const std::string& path, milliseconds run,
                       int min_lines) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  std::string program = QUEUE_CRASH_CHILD;
  std::vector<char*> argv{program.data(), const_cast<char*>(mode.c_str()),
                          const_cast<char*>(path.c_str()), nullptr};
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  EXPECT_EQ(rc, 0) << "cannot start " << program;
  std::string output;
  char buffer[65536];
  const auto start = Clock::now();
  auto enough = [&] {
    const auto elapsed = Clock::now() - start;
    const auto lines = std::count(output.begin(), output.end(), '\n');
    return (elapsed >= run && lines >= min_lines) || elapsed >= seconds(60);
  };
  bool open = true;
  while (open && !enough()) {
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, 10) > 0) {
      const ssize_t n = read(fds[0], buffer, sizeof buffer);
      if (n <= 0) open = false;
      if (n > 0) output.append(buffer, static_cast<size_t>(n));
    }
  }
  if (rc == 0) {
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFSIGNALED(status)) << "the child ended by itself before it was killed";
  }
  for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;) {
    output.append(buffer, static_cast<size_t>(n));
  }
  close(fds[0]);
  return output;
}

std::string IntegrityCheck(const std::string& path) {
  sqlite3* db = nullptr;
  std::string result = "cannot open";
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, nullptr);
    if (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW) {
      result = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return result;
}

// Every id the queue holds, read through a clock an hour ahead so that messages left in
// flight by a killed receiver are visible again.
std::set<std::string> EverythingDeliverable(const std::string& path) {
  SqliteQueueOptions options;
  options.path = path;
  options.max_receive_count = 1000;
  const int64_t later = std::chrono::duration_cast<milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch() + seconds(7200))
                            .count();
  options.now_ms = [later] { return later; };
  auto queue = OpenSqliteQueue(options);
  EXPECT_TRUE(queue.ok()) << queue.status().ToString();
  std::set<std::string> ids;
  if (!queue.ok()) return ids;
  for (;;) {
    auto got = (*queue)->Receive(Take(kMaxBatch, seconds(43200)));
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    if (!got.ok() || got->empty()) return ids;
    for (const auto& m : *got) ids.insert(m.message_id);
  }
}

TEST_F(QueueTest, AcknowledgedSendsSurviveKillOfTheSender) {
  ChildOutput out;
  for (int round = 0; round < 4; ++round) {
    Parse(RunAndKill("send", Path(), milliseconds(200), 20), out);
    ASSERT_EQ(IntegrityCheck(Path()), "ok") << "round " << round;
  }
  ASSERT_GE(out.acknowledged.size(), 80u);
  const std::set<std::string> held = EverythingDeliverable(Path());
  for (const std::string& id : out.acknowledged) {
    EXPECT_TRUE(held.count(id)) << "acknowledged message " << id << " was lost";
  }
}

TEST_F(QueueTest, NothingIsLostWhenTheReceiverIsKilled) {
  std::set<std::string> sent;
  {
    SqliteQueueOptions options;  // the system clock, as the child uses
    options.path = Path();
    auto queue = Open(options);
    for (int i = 0; i < 200; ++i) {
      std::vector<OutgoingMessage> batch(kMaxBatch, Message("prompt"));
      auto ids = queue->SendBatch(batch);
      ASSERT_TRUE(ids.ok());
      for (const auto& r : *ids) sent.insert(r->message_id);
    }
  }
  ChildOutput out;
  for (int round = 0; round < 3; ++round) {
    Parse(RunAndKill("drain", Path(), milliseconds(200), 20), out);
    ASSERT_EQ(IntegrityCheck(Path()), "ok") << "round " << round;
  }
  ASSERT_FALSE(out.deleted.empty());
  const std::set<std::string> held = EverythingDeliverable(Path());
  for (const std::string& id : sent) {
    // Either still deliverable, or its Delete was at least attempted before a kill.
    EXPECT_TRUE(held.count(id) || out.attempted.count(id)) << "message " << id << " was lost";
  }
  for (const std::string& id : out.deleted) {
    EXPECT_FALSE(held.count(id)) << "deleted message " << id << " came back";
  }
}

}  // namespace
}  // namespace pictor::testing
