// ObjectStoreWrapper: an ObjectStore that forwards every call to another (LevelDB's EnvWrapper),
// the base of decorators that time, count or fail some calls: such a decorator overrides only
// what it changes, and a method added to ObjectStore is forwarded here once instead of silently
// missing from every decorator (DirectUrl, which has a default, included).
// Thread-safety: as the wrapped store's.
#ifndef PICTOR_OBJECT_STORE_WRAPPER_H_
#define PICTOR_OBJECT_STORE_WRAPPER_H_

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "pictor/object_store.h"

namespace pictor {

class ObjectStoreWrapper : public ObjectStore {
 public:
  // Borrows `target`, which must outlive the wrapper.
  explicit ObjectStoreWrapper(ObjectStore& target) : target_(target) {}

  ObjectStore& target() const { return target_; }

  Status Put(std::string_view key, std::string_view data, std::string_view content_type) override {
    return target_.Put(key, data, content_type);
  }
  Status PutIfAbsent(std::string_view key, std::string_view data,
                     std::string_view content_type) override {
    return target_.PutIfAbsent(key, data, content_type);
  }
  Status Delete(std::string_view key) override { return target_.Delete(key); }
  Result<StoredObject> Get(std::string_view key) override { return target_.Get(key); }
  Result<ObjectInfo> Head(std::string_view key) override { return target_.Head(key); }
  Result<std::vector<ObjectInfo>> List(std::string_view prefix, size_t max_keys) override {
    return target_.List(prefix, max_keys);
  }
  Result<std::vector<ObjectInfo>> ListAfter(std::string_view prefix, std::string_view start_after,
                                            size_t max_keys) override {
    return target_.ListAfter(prefix, start_after, max_keys);
  }
  std::string Location(std::string_view key) const override { return target_.Location(key); }
  std::optional<std::string> DirectUrl(std::string_view key, std::chrono::seconds ttl) override {
    return target_.DirectUrl(key, ttl);
  }

 private:
  ObjectStore& target_;
};

// Fails to compile when ObjectStore gains a pure virtual method not forwarded above.
static_assert(!std::is_abstract_v<ObjectStoreWrapper>);

}  // namespace pictor

#endif  // PICTOR_OBJECT_STORE_WRAPPER_H_
