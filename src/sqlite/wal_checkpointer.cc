#include "sqlite/wal_checkpointer.h"

#include <sqlite3.h>

#include <utility>

#include "sqlite/status.h"

namespace pictor::sqlite {

Result<std::unique_ptr<WalCheckpointer>> WalCheckpointer::Start(
    const std::string& path, WriterPause pause, std::chrono::milliseconds interval) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status status = FromSqlite(db, rc, "cannot open " + path + " to checkpoint it");
    sqlite3_close_v2(db);
    return status;
  }
  // A connection learns that the file is in WAL mode from its first read; until then a
  // checkpoint does nothing.
  rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    Status status = FromSqlite(db, rc, "cannot read " + path + " to checkpoint it");
    sqlite3_close_v2(db);
    return status;
  }
  return std::unique_ptr<WalCheckpointer>(new WalCheckpointer(db, std::move(pause), interval));
}

WalCheckpointer::WalCheckpointer(sqlite3* db, WriterPause pause, std::chrono::milliseconds interval)
    : db_(db), pause_(std::move(pause)), interval_(interval), thread_([this] { Run(); }) {}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
  sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  sqlite3_close_v2(db_);
}

WalCheckpointer::Round WalCheckpointer::LastRound() {
  std::lock_guard lock(mu_);
  return last_;
}

bool WalCheckpointer::WaitForRounds(int rounds, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  const int64_t target = rounds_ + rounds;
  return round_done_.wait_for(lock, timeout, [&] { return rounds_ >= target; });
}

WalCheckpointer::Round WalCheckpointer::Checkpoint(int previous_log_frames) {
  // PASSIVE copies what no reader still needs and never waits; a busy moment is simply
  // picked up by the next round. Each pass copies what was written during the one before, so
  // a few passes shrink what is left to copy while writers are held back.
  Round round;
  int passes = 0;
  for (int before = previous_log_frames;; before = round.log_frames) {
    const int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                             &round.log_frames, &round.checkpointed_frames);
    // An empty log, or nothing written since the last pass: nothing to hold writers for.
    if (rc != SQLITE_OK || round.log_frames == 0 || round.log_frames == before) return round;
    if (round.log_frames - before < kSmallLog || ++passes == kMaxPasses) break;
  }
  if (!pause_) return round;
  round.paused_writers = true;
  pause_([&] {
    sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &round.log_frames,
                              &round.checkpointed_frames);
  });
  return round;
}

void WalCheckpointer::Run() {
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, interval_, [&] { return stopping_; })) {
    const int previous_log_frames = last_.log_frames;
    lock.unlock();
    Round round = Checkpoint(previous_log_frames);
    lock.lock();
    last_ = round;
    ++rounds_;
    round_done_.notify_all();
  }
}

}  // namespace pictor::sqlite
