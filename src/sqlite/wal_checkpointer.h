// Checkpoints a SQLite database's write-ahead log from a thread of its own, so that no request
// waits for a checkpoint: the connections that write set `PRAGMA wal_autocheckpoint=0` and
// this copies the log back into the database every `interval` with a PASSIVE checkpoint, which
// runs beside readers and writers instead of blocking them.
#ifndef PICTOR_SQLITE_WAL_CHECKPOINTER_H_
#define PICTOR_SQLITE_WAL_CHECKPOINTER_H_

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "pictor/status.h"

struct sqlite3;

namespace pictor {

// Thread-safety: owns its thread and connection; construct and destroy from one thread.
class WalCheckpointer {
 public:
  // Opens its own connection to `path` (which must exist, in WAL mode) and starts checkpointing.
  static Result<std::unique_ptr<WalCheckpointer>> Start(
      const std::string& path, std::chrono::milliseconds interval = std::chrono::milliseconds(500));
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;
  ~WalCheckpointer();  // one last checkpoint, then closes

 private:
  WalCheckpointer(sqlite3* db, std::chrono::milliseconds interval);
  void Run();

  sqlite3* db_;
  const std::chrono::milliseconds interval_;
  std::mutex mu_;  // guards stopping_
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace pictor

#endif  // PICTOR_SQLITE_WAL_CHECKPOINTER_H_
