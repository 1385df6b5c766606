// KeyStoreWrapper: a KeyStore that forwards every call to another (LevelDB's EnvWrapper), the
// base of decorators that record, delay or fail some calls (a key store that fails while an
// authenticator refreshes, say): such a decorator overrides only what it changes, and a method
// added to KeyStore is forwarded here once instead of silently missing from every decorator.
// Thread-safety: as the wrapped key store's.
#ifndef PICTOR_KEY_STORE_WRAPPER_H_
#define PICTOR_KEY_STORE_WRAPPER_H_

#include <string_view>
#include <type_traits>
#include <vector>

#include "pictor/api_keys.h"

namespace pictor {

class KeyStoreWrapper : public KeyStore {
 public:
  // Borrows `target`, which must outlive the wrapper.
  explicit KeyStoreWrapper(KeyStore& target) : target_(target) {}

  KeyStore& target() const { return target_; }

  Status Create(const ApiKeyRecord& record) override { return target_.Create(record); }
  Status Update(const ApiKeyRecord& record) override { return target_.Update(record); }
  Result<ApiKeyRecord> Get(std::string_view name) override { return target_.Get(name); }
  Result<std::vector<ApiKeyRecord>> List() override { return target_.List(); }

 private:
  KeyStore& target_;
};

// Fails to compile when KeyStore gains a pure virtual method not forwarded above.
static_assert(!std::is_abstract_v<KeyStoreWrapper>);

}  // namespace pictor

#endif  // PICTOR_KEY_STORE_WRAPPER_H_
