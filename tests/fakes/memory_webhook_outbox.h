// MemoryWebhookOutbox: the WebhookOutbox fake, in memory, with the SQLite adapter's semantics
// (a claim leases exactly; nothing is ever claimed twice within a lease). Thread-safe.
#ifndef PICTOR_TESTS_FAKES_MEMORY_WEBHOOK_OUTBOX_H_
#define PICTOR_TESTS_FAKES_MEMORY_WEBHOOK_OUTBOX_H_

#include <algorithm>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "pictor/webhook_outbox.h"

namespace pictor::testing {

class MemoryWebhookOutbox final : public WebhookOutbox {
 public:
  Status Add(const WebhookMessage& message) override {
    if (!IsValidWebhookMessageId(message.id)) {
      return Status::InvalidArgument("invalid webhook message id");
    }
    std::lock_guard lock(mu_);
    messages_.emplace(message.id, message);
    return Status::Ok();
  }

  Result<std::vector<WebhookMessage>> Claim(int64_t now_ms, int64_t lease_ms, int max) override {
    std::lock_guard lock(mu_);
    std::vector<WebhookMessage> due;
    for (const auto& [id, m] : messages_) {
      if (m.next_attempt_ms <= now_ms) due.push_back(m);
    }
    std::sort(due.begin(), due.end(), [](const WebhookMessage& a, const WebhookMessage& b) {
      return a.next_attempt_ms != b.next_attempt_ms ? a.next_attempt_ms < b.next_attempt_ms
                                                    : a.id < b.id;
    });
    if (static_cast<int>(due.size()) > std::max(max, 0)) due.resize(std::max(max, 0));
    for (const WebhookMessage& m : due) messages_[m.id].next_attempt_ms = now_ms + lease_ms;
    return due;
  }

  Status Reschedule(const WebhookMessage& message) override {
    std::lock_guard lock(mu_);
    auto it = messages_.find(message.id);
    if (it == messages_.end()) return Status::Ok();
    it->second.attempts = message.attempts;
    it->second.next_attempt_ms = message.next_attempt_ms;
    return Status::Ok();
  }

  Status Remove(std::string_view id) override {
    std::lock_guard lock(mu_);
    messages_.erase(std::string(id));
    return Status::Ok();
  }

  Result<int64_t> Count() override {
    std::lock_guard lock(mu_);
    return static_cast<int64_t>(messages_.size());
  }

 private:
  std::mutex mu_;  // guards messages_
  std::map<std::string, WebhookMessage> messages_;
};

}  // namespace pictor::testing

#endif  // PICTOR_TESTS_FAKES_MEMORY_WEBHOOK_OUTBOX_H_
