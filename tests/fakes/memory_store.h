// An in-memory ObjectStore for tests. Thread-safe. Can be told to fail the next puts (Put and
// PutIfAbsent alike).
#ifndef PICTOR_TESTS_FAKES_MEMORY_STORE_H_
#define PICTOR_TESTS_FAKES_MEMORY_STORE_H_

#include <atomic>
#include <map>
#include <mutex>
#include <string>

#include "pictor/object_store.h"

namespace pictor::testing {

class MemoryStore final : public ObjectStore {
 public:
  Status Put(std::string_view key, std::string_view data, std::string_view content_type) override {
    return Store(key, data, content_type, /*only_if_absent=*/false);
  }
  // Counts as a put (and fails with FailNextPuts) like Put.
  Status PutIfAbsent(std::string_view key, std::string_view data,
                     std::string_view content_type) override {
    return Store(key, data, content_type, /*only_if_absent=*/true);
  }
  Status Delete(std::string_view key) override {
    if (Status s = ValidateObjectKey(key); !s.ok()) return s;
    std::lock_guard lock(mu_);
    objects_.erase(std::string(key));
    return Status::Ok();
  }
  Result<StoredObject> Get(std::string_view key) override {
    std::lock_guard lock(mu_);
    auto it = objects_.find(std::string(key));
    if (it == objects_.end()) return Status::NotFound("no object " + std::string(key));
    return it->second;
  }
  Result<ObjectInfo> Head(std::string_view key) override {
    auto o = Get(key);
    if (!o.ok()) return o.status();
    return o->info;
  }
  Result<std::vector<ObjectInfo>> List(std::string_view prefix, size_t max_keys) override {
    return ListAfter(prefix, "", max_keys);
  }
  Result<std::vector<ObjectInfo>> ListAfter(std::string_view prefix, std::string_view start_after,
                                            size_t max_keys) override {
    std::lock_guard lock(mu_);
    std::vector<ObjectInfo> out;
    auto first = std::string(prefix) < start_after ? objects_.upper_bound(std::string(start_after))
                                                   : objects_.lower_bound(std::string(prefix));
    for (auto it = first; it != objects_.end() &&
                          it->first.compare(0, prefix.size(), prefix) == 0 && out.size() < max_keys;
         ++it) {
      out.push_back(it->second.info);
    }
    return out;
  }
  std::string Location(std::string_view key) const override { return "memory:" + std::string(key); }

  // The next n puts fail with `code` (Unavailable, or ResourceExhausted for a full disk).
  void FailNextPuts(int n, StatusCode code = StatusCode::kUnavailable) {
    std::lock_guard lock(mu_);
    fail_puts_ = n;
    fail_code_ = code;
  }
  size_t size() {
    std::lock_guard lock(mu_);
    return objects_.size();
  }
  std::atomic<int> puts{0};

 private:
  Status Store(std::string_view key, std::string_view data, std::string_view content_type,
               bool only_if_absent) {
    if (Status s = ValidateObjectKey(key); !s.ok()) return s;
    puts.fetch_add(1);
    std::lock_guard lock(mu_);
    if (fail_puts_ > 0) {
      --fail_puts_;
      return Status(fail_code_, "memory store told to fail");
    }
    auto [it, inserted] = objects_.try_emplace(std::string(key));
    if (only_if_absent && !inserted) {
      return Status::AlreadyExists("an object exists at " + std::string(key));
    }
    StoredObject& o = it->second;
    o.data = std::string(data);
    o.info.key = std::string(key);
    o.info.size = data.size();
    o.info.content_type = std::string(content_type);
    o.info.etag = "\"" + std::to_string(std::hash<std::string_view>{}(data)) + "\"";
    return Status::Ok();
  }

  std::mutex mu_;  // guards objects_, fail_puts_, fail_code_
  std::map<std::string, StoredObject> objects_;
  int fail_puts_ = 0;
  StatusCode fail_code_ = StatusCode::kUnavailable;
};

}  // namespace pictor::testing

#endif  // PICTOR_TESTS_FAKES_MEMORY_STORE_H_
