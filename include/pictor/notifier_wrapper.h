// NotifierWrapper: a Notifier that forwards every call to another (LevelDB's EnvWrapper), the
// base of decorators that count, block or fail deliveries: such a decorator overrides only what
// it changes, and a method added to Notifier is forwarded here once instead of silently missing
// from every decorator. Thread-safety: as the wrapped notifier's.
#ifndef PICTOR_NOTIFIER_WRAPPER_H_
#define PICTOR_NOTIFIER_WRAPPER_H_

#include <string>
#include <type_traits>

#include "pictor/notifier.h"

namespace pictor {

class NotifierWrapper : public Notifier {
 public:
  // Borrows `target`, which must outlive the wrapper.
  explicit NotifierWrapper(Notifier& target) : target_(target) {}

  Notifier& target() const { return target_; }

  Status Notify(const AlarmEvent& event) override { return target_.Notify(event); }
  std::string Describe() const override { return target_.Describe(); }

 private:
  Notifier& target_;
};

// Fails to compile when Notifier gains a pure virtual method not forwarded above.
static_assert(!std::is_abstract_v<NotifierWrapper>);

}  // namespace pictor

#endif  // PICTOR_NOTIFIER_WRAPPER_H_
