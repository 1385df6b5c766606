#include "sqlite/wal_checkpointer.h"

#include <sqlite3.h>

namespace pictor {

Result<std::unique_ptr<WalCheckpointer>> WalCheckpointer::Start(
    const std::string& path, std::chrono::milliseconds interval) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = "cannot open " + path + " to checkpoint it: " + sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Status::Unavailable(message);
  }
  // A connection learns that the file is in WAL mode from its first read; until then a
  // checkpoint does nothing.
  rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = "cannot read " + path + " to checkpoint it: " + sqlite3_errmsg(db);
    sqlite3_close_v2(db);
    return Status::Unavailable(message);
  }
  return std::unique_ptr<WalCheckpointer>(new WalCheckpointer(db, interval));
}

WalCheckpointer::WalCheckpointer(sqlite3* db, std::chrono::milliseconds interval)
    : db_(db), interval_(interval), thread_([this] { Run(); }) {}

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

void WalCheckpointer::Run() {
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, interval_, [&] { return stopping_; })) {
    lock.unlock();
    // PASSIVE copies what no reader still needs and never waits; a busy moment is simply
    // picked up by the next round.
    sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    lock.lock();
  }
}

}  // namespace pictor
