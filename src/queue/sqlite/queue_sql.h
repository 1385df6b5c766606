// The SQLite queue's schema and statements, in one place.
//   messages      live messages: delayed, visible or in flight. A message is visible when
//                 visible_at_ms <= now; otherwise it is delayed (receive_count = 0) or in
//                 flight. receipt is the token of its latest receive. deferrals counts the
//                 times Defer put it back (schema version 2 added the column).
//   dead_letters  messages moved aside, with the reason.
// Only visible_at_ms is indexed: every extra index costs each send and delete a page write.
#ifndef PICTOR_QUEUE_SQLITE_QUEUE_SQL_H_
#define PICTOR_QUEUE_SQLITE_QUEUE_SQL_H_

namespace pictor::sqlite_queue::sql {

inline constexpr int kSchemaVersion = 2;

inline constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS messages(
  seq INTEGER PRIMARY KEY,
  message_id TEXT NOT NULL,
  body TEXT NOT NULL,
  md5 TEXT NOT NULL,
  sent_ms INTEGER NOT NULL,
  visible_at_ms INTEGER NOT NULL,
  receive_count INTEGER NOT NULL DEFAULT 0,
  first_receive_ms INTEGER NOT NULL DEFAULT 0,
  receipt TEXT,
  deferrals INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS messages_by_visibility ON messages(visible_at_ms);
CREATE TABLE IF NOT EXISTS dead_letters(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id TEXT NOT NULL,
  body TEXT NOT NULL,
  md5 TEXT NOT NULL,
  sent_ms INTEGER NOT NULL,
  receive_count INTEGER NOT NULL,
  first_receive_ms INTEGER NOT NULL,
  dead_lettered_ms INTEGER NOT NULL,
  reason TEXT NOT NULL);
)sql";

// Version 1 files lack the deferrals column.
inline constexpr const char* kAddDeferrals =
    "ALTER TABLE messages ADD COLUMN deferrals INTEGER NOT NULL DEFAULT 0";
inline constexpr const char* kInsert =
    "INSERT INTO messages(message_id, body, md5, sent_ms, visible_at_ms) VALUES(?1,?2,?3,?4,?5)";
inline constexpr const char* kSelectVisible =
    "SELECT seq, message_id, body, receive_count, sent_ms, first_receive_ms, deferrals "
    "FROM messages "
    "WHERE visible_at_ms <= ?1 AND seq > ?2 ORDER BY seq LIMIT ?3";
inline constexpr const char* kAnyVisible =
    "SELECT 1 FROM messages WHERE visible_at_ms <= ?1 LIMIT 1";
inline constexpr const char* kMarkReceived =
    "UPDATE messages SET receive_count = receive_count + 1, visible_at_ms = ?2, receipt = ?3, "
    "first_receive_ms = CASE first_receive_ms WHEN 0 THEN ?4 ELSE first_receive_ms END "
    "WHERE seq = ?1";
inline constexpr const char* kCopyToDeadLetters =
    "INSERT INTO dead_letters(message_id, body, md5, sent_ms, receive_count, first_receive_ms, "
    "dead_lettered_ms, reason) SELECT message_id, body, md5, sent_ms, receive_count, "
    "first_receive_ms, ?2, ?3 FROM messages WHERE seq = ?1";
inline constexpr const char* kCopyHeldToDeadLetters =
    "INSERT INTO dead_letters(message_id, body, md5, sent_ms, receive_count, first_receive_ms, "
    "dead_lettered_ms, reason) SELECT message_id, body, md5, sent_ms, receive_count, "
    "first_receive_ms, ?3, ?4 FROM messages WHERE seq = ?1 AND receipt = ?2";
inline constexpr const char* kDeleteSeq = "DELETE FROM messages WHERE seq = ?1";
inline constexpr const char* kDeleteHeld = "DELETE FROM messages WHERE seq = ?1 AND receipt = ?2";
inline constexpr const char* kChangeVisibility =
    "UPDATE messages SET visible_at_ms = ?3 WHERE seq = ?1 AND receipt = ?2";
// Defer: this receive is given back (receive_count - 1), as if the message had not been taken.
inline constexpr const char* kDefer =
    "UPDATE messages SET visible_at_ms = ?3, deferrals = deferrals + 1, "
    "receive_count = MAX(receive_count - 1, 0) WHERE seq = ?1 AND receipt = ?2";
inline constexpr const char* kDropExpired = "DELETE FROM messages WHERE sent_ms < ?1";
inline constexpr const char* kCounts =
    "SELECT COALESCE(SUM(visible_at_ms <= ?1), 0), "
    "COALESCE(SUM(visible_at_ms > ?1 AND receive_count > 0), 0), "
    "COALESCE(SUM(visible_at_ms > ?1 AND receive_count = 0), 0), MIN(sent_ms) FROM messages";
inline constexpr const char* kDeadLetterCount = "SELECT COUNT(*) FROM dead_letters";
inline constexpr const char* kListDeadLetters =
    "SELECT message_id, body, reason, receive_count, sent_ms, first_receive_ms, "
    "dead_lettered_ms FROM dead_letters ORDER BY id LIMIT ?1";

}  // namespace pictor::sqlite_queue::sql

#endif  // PICTOR_QUEUE_SQLITE_QUEUE_SQL_H_
