// WebhookOutbox: the port that keeps webhook messages until they are delivered or given up, so
// that a delivery survives a restart of the process that owed it. It lives beside the job ledger
// (a table in the SQLite ledger's file, objects under `<prefix>/webhooks/` for the store ledger),
// and any serve or worker process sharing that ledger delivers what it finds due.
#ifndef PICTOR_WEBHOOK_OUTBOX_H_
#define PICTOR_WEBHOOK_OUTBOX_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pictor/status.h"

namespace pictor {

// One webhook POST owed, and how far its delivery has come.
struct WebhookMessage {
  // The message's webhook-id: unique per message, the same on every attempt. The outbox's key:
  // at most [A-Za-z0-9_-], 1..128 characters.
  std::string id;
  std::string job_id;
  std::string url;
  // The operator's URL (--webhook): delivered without the address check client URLs get.
  bool trusted = false;
  // Whether each attempt is written to the job's record (JobLedger::SetWebhookDelivery).
  bool reported = true;
  std::string body;             // the JSON POSTed
  int attempts = 0;             // attempts made so far
  int64_t created_ms = 0;       // when it was added: retries end about an hour later
  int64_t next_attempt_ms = 0;  // not claimed before this
  bool operator==(const WebhookMessage&) const = default;
};

// Thread-safety: implementations are thread-safe and may be shared by several processes.
class WebhookOutbox {
 public:
  WebhookOutbox() = default;
  WebhookOutbox(const WebhookOutbox&) = delete;
  WebhookOutbox& operator=(const WebhookOutbox&) = delete;
  virtual ~WebhookOutbox() = default;

  // Keeps `message` durably (it survives a crash once this returns). A message with the same id
  // already kept is left as it is (the job's final state was reported twice). InvalidArgument
  // for an id outside the alphabet above.
  virtual Status Add(const WebhookMessage& message) = 0;

  // Up to `max` messages due at `now_ms` (next_attempt_ms <= now_ms), earliest due first, each
  // leased to the caller: its next_attempt_ms becomes now_ms + lease_ms in the outbox, so that
  // no other caller claims it meanwhile, and a caller that dies leaves it to be claimed again
  // when the lease ends. The messages come back as they were before the lease.
  // A lease is a best effort across processes: a message may rarely be claimed twice (delivery
  // is at least once).
  virtual Result<std::vector<WebhookMessage>> Claim(int64_t now_ms, int64_t lease_ms, int max) = 0;

  // Records a failed attempt: the message's attempts and next_attempt_ms become `message`'s.
  // OK when it is gone (another process delivered it).
  virtual Status Reschedule(const WebhookMessage& message) = 0;

  // Forgets the message (delivered, or given up). OK when it is not there.
  virtual Status Remove(std::string_view id) = 0;

  // How many messages are kept.
  virtual Result<int64_t> Count() = 0;
};

// Whether `id` is a valid WebhookMessage id.
inline bool IsValidWebhookMessageId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace pictor

#endif  // PICTOR_WEBHOOK_OUTBOX_H_
