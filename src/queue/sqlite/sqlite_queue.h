// The SQLite adapter of the JobQueue port: an embedded queue in one file with Amazon SQS
// standard-queue semantics (visibility timeouts, receipt handles, delays, redrive to a
// dead-letter table, retention, long polling). Many threads and many processes may share
// one file.
#ifndef PICTOR_QUEUE_SQLITE_SQLITE_QUEUE_H_
#define PICTOR_QUEUE_SQLITE_SQLITE_QUEUE_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "pictor/job_queue.h"
#include "pictor/status.h"

namespace pictor {

struct SqliteQueueOptions {
  std::string path;  // database file; its directory is created if missing
  // A message is dead-lettered instead of delivered when it has already been received this
  // many times (SQS redrive policy maxReceiveCount).
  int max_receive_count = 5;
  // Messages older than this are dropped (SQS MessageRetentionPeriod; default 4 days).
  std::chrono::seconds retention{345600};
  // Clock in Unix epoch milliseconds, for tests; empty = the system clock.
  std::function<int64_t()> now_ms;
  // Durability. The default (WAL, synchronous=NORMAL) keeps every acknowledged message
  // through a crash or kill of any process, but the last transactions may be lost on power
  // failure or an OS crash. true selects synchronous=FULL: an fsync per commit, durable
  // against power loss too, several times slower.
  bool sync_every_commit = false;
};

// Opens (creating if needed) the queue stored at options.path.
// Errors: InvalidArgument for bad options, PermissionDenied when its directory cannot be made,
// Unavailable when the file cannot be opened or created, DataLoss when it is not a healthy queue
// database (SQLite errors as sqlite/status.h translates them). Defer gives the receive back in
// place (see JobQueue::Defer).
Result<std::unique_ptr<JobQueue>> OpenSqliteQueue(const SqliteQueueOptions& options);

// One message of the dead-letter table.
struct DeadLetteredMessage {
  std::string message_id;
  std::string body;
  std::string reason;  // why it was dead-lettered
  int receive_count = 0;
  int64_t sent_timestamp_ms = 0;
  int64_t first_receive_timestamp_ms = 0;  // 0 if it was never received
  int64_t dead_lettered_timestamp_ms = 0;
};

// Reads up to `limit` dead letters of the queue at options.path, oldest first. Only
// options.path matters. Safe while other processes use the queue. NotFound when no queue
// file exists at the path.
Result<std::vector<DeadLetteredMessage>> ListDeadLetters(const SqliteQueueOptions& options,
                                                         size_t limit = 1000);

}  // namespace pictor

#endif  // PICTOR_QUEUE_SQLITE_SQLITE_QUEUE_H_
