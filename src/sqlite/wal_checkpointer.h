// Checkpoints a SQLite database's write-ahead log from a thread of its own, so that no request
// waits for a checkpoint: the connections that write set `PRAGMA wal_autocheckpoint=0` and
// this copies the log back into the database every `interval`.
//
// Each round is a few PASSIVE checkpoints. The first runs beside readers and writers and copies
// the bulk of the log. Under steady writes no such pass can finish, though: new frames arrive
// while it copies, so the log would never restart and would grow without bound (gigabytes
// within a minute of sustained POST /jobs, and every commit gets slower as it grows). Each
// further pass copies what arrived during the one before, so what is left shrinks; the last
// copies the remainder with the owner's writers held back through `pause`. Then the whole log
// is in the database and the next commit starts the log from its beginning. Writers wait only
// for that short last pass, and only in a round that found new frames.
#ifndef PICTOR_SQLITE_WAL_CHECKPOINTER_H_
#define PICTOR_SQLITE_WAL_CHECKPOINTER_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "pictor/status.h"

struct sqlite3;

namespace pictor::sqlite {

// Runs `work` while the owner's connection neither writes nor holds a read transaction open
// (typically: under the mutex that serialises the owner's use of its connection).
using WriterPause = std::function<void(const std::function<void()>& work)>;

// Thread-safety: owns its thread and connection; construct and destroy from one thread.
// `pause` is called from that thread, so the owner must outlive this object.
class WalCheckpointer {
 public:
  // Opens its own connection to `path` (which must exist, in WAL mode) and starts checkpointing.
  static Result<std::unique_ptr<WalCheckpointer>> Start(
      const std::string& path, WriterPause pause,
      std::chrono::milliseconds interval = std::chrono::milliseconds(250));
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;
  ~WalCheckpointer();  // one last checkpoint, then closes

  // What the last round found, for tests and diagnostics.
  struct Round {
    int log_frames = 0;           // frames in the log after the round
    int checkpointed_frames = 0;  // of which copied into the database
    bool paused_writers = false;  // whether the second pass was needed
  };
  Round LastRound();

  // Waits until `rounds` more rounds have finished after the call (false after `timeout`), so a
  // test can tell "nothing more happened in N rounds" without guessing how long N rounds take.
  bool WaitForRounds(int rounds, std::chrono::milliseconds timeout);

 private:
  WalCheckpointer(sqlite3* db, WriterPause pause, std::chrono::milliseconds interval);
  void Run();
  Round Checkpoint(int previous_log_frames);

  // Writers are held back once a pass finds fewer new frames than this, or after kMaxPasses.
  static constexpr int kSmallLog = 256;
  static constexpr int kMaxPasses = 4;

  sqlite3* db_;
  const WriterPause pause_;
  const std::chrono::milliseconds interval_;
  std::mutex mu_;                       // guards stopping_, last_ and rounds_
  std::condition_variable cv_;          // stopping_ changed
  std::condition_variable round_done_;  // rounds_ grew
  bool stopping_ = false;
  Round last_;
  int64_t rounds_ = 0;
  std::thread thread_;
};

}  // namespace pictor::sqlite

#endif  // PICTOR_SQLITE_WAL_CHECKPOINTER_H_
