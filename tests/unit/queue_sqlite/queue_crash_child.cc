// A process for the crash tests, killed with SIGKILL at an arbitrary moment.
//   queue_crash_child send <path>   sends forever; prints "A <id>" after each Send returned OK
//   queue_crash_child drain <path>  receives and deletes forever; prints "d <id>" before each
//                                   Delete and "D <id>" after it returned OK
// Each line is written with one write(2) before the next queue call, so whatever the parent
// reads is exactly what was acknowledged (or attempted) before the kill.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>
#include <thread>

#include "queue/sqlite/sqlite_queue.h"

namespace {

bool Say(char tag, const std::string& id) {
  const std::string line = std::string(1, tag) + " " + id + "\n";
  return write(STDOUT_FILENO, line.data(), line.size()) == static_cast<ssize_t>(line.size());
}

int SendForever(pictor::JobQueue& queue) {
  for (long i = 0;; ++i) {
    auto sent = queue.Send({"prompt " + std::to_string(i), std::chrono::seconds(0)});
    if (!sent.ok()) {
      std::fprintf(stderr, "send: %s\n", sent.status().ToString().c_str());
      return 1;
    }
    if (!Say('A', sent->message_id)) return 1;
  }
}

int DrainForever(pictor::JobQueue& queue) {
  pictor::ReceiveOptions options;
  options.max_messages = 5;
  options.visibility_timeout = std::chrono::seconds(3600);
  options.wait = std::chrono::milliseconds(100);
  for (;;) {
    auto got = queue.Receive(options);
    if (!got.ok()) {
      std::fprintf(stderr, "receive: %s\n", got.status().ToString().c_str());
      return 1;
    }
    for (const auto& m : *got) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));  // stands in for real work
      if (!Say('d', m.message_id)) return 1;
      if (pictor::Status s = queue.Delete(m.receipt_handle); !s.ok()) {
        std::fprintf(stderr, "delete: %s\n", s.ToString().c_str());
        return 1;
      }
      if (!Say('D', m.message_id)) return 1;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s send|drain <queue.db>\n", argv[0]);
    return 2;
  }
  pictor::SqliteQueueOptions options;
  options.path = argv[2];
  options.max_receive_count = 1000;
  auto queue = pictor::OpenSqliteQueue(options);
  if (!queue.ok()) {
    std::fprintf(stderr, "open: %s\n", queue.status().ToString().c_str());
    return 1;
  }
  const std::string_view mode = argv[1];
  if (mode == "send") return SendForever(**queue);
  if (mode == "drain") return DrainForever(**queue);
  std::fprintf(stderr, "unknown mode %s\n", argv[1]);
  return 2;
}
