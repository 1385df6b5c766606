// WebhookOutboxWrapper: a WebhookOutbox that forwards every call to another (LevelDB's
// EnvWrapper), the base of decorators that record, delay or fail some calls: such a decorator
// overrides only what it changes, and a method added to WebhookOutbox is forwarded here once
// instead of silently missing from every decorator.
// Thread-safety: as the wrapped outbox's.
#ifndef PICTOR_WEBHOOK_OUTBOX_WRAPPER_H_
#define PICTOR_WEBHOOK_OUTBOX_WRAPPER_H_

#include <cstdint>
#include <string_view>
#include <type_traits>
#include <vector>

#include "pictor/webhook_outbox.h"

namespace pictor {

class WebhookOutboxWrapper : public WebhookOutbox {
 public:
  // Borrows `target`, which must outlive the wrapper.
  explicit WebhookOutboxWrapper(WebhookOutbox& target) : target_(target) {}

  WebhookOutbox& target() const { return target_; }

  Status Add(const WebhookMessage& message) override { return target_.Add(message); }
  Result<std::vector<WebhookMessage>> Claim(int64_t now_ms, int64_t lease_ms, int max) override {
    return target_.Claim(now_ms, lease_ms, max);
  }
  Status Reschedule(const WebhookMessage& message) override { return target_.Reschedule(message); }
  Status Remove(std::string_view id) override { return target_.Remove(id); }
  Result<int64_t> Count() override { return target_.Count(); }

 private:
  WebhookOutbox& target_;
};

// Fails to compile when WebhookOutbox gains a pure virtual method not forwarded above.
static_assert(!std::is_abstract_v<WebhookOutboxWrapper>);

}  // namespace pictor

#endif  // PICTOR_WEBHOOK_OUTBOX_WRAPPER_H_
