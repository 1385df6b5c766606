// MemoryKeyStore: an in-memory KeyStore with the port's promises (names are unique, revoked ones
// included; Update replaces an existing record only and never un-revokes; List is in name order),
// for tests of what sits above the port. Counts its List calls (an authenticator must not read the
// store per request) and can be told to fail its next reads. Thread-safety: thread-safe.
#ifndef PICTOR_TESTS_FAKES_MEMORY_KEY_STORE_H_
#define PICTOR_TESTS_FAKES_MEMORY_KEY_STORE_H_

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pictor/api_keys.h"

namespace pictor::testing {

class MemoryKeyStore final : public KeyStore {
 public:
  Status Create(const ApiKeyRecord& record) override {
    std::lock_guard lock(mu_);
    if (!records_.emplace(record.name, record).second) {
      return Status::AlreadyExists("a key named " + record.name + " exists");
    }
    return Status::Ok();
  }

  Status Update(const ApiKeyRecord& record) override {
    std::lock_guard lock(mu_);
    auto it = records_.find(record.name);
    if (it == records_.end()) return Status::NotFound("no key named " + record.name);
    const int64_t revoked_ms = it->second.revoked_ms;
    it->second = record;
    if (revoked_ms > 0) {  // a revocation is final
      it->second.revoked_ms = revoked_ms;
      it->second.previous_hash.clear();
      it->second.previous_expires_ms = 0;
    }
    return Status::Ok();
  }

  Result<ApiKeyRecord> Get(std::string_view name) override {
    std::lock_guard lock(mu_);
    auto it = records_.find(std::string(name));
    if (it == records_.end()) return Status::NotFound("no key named " + std::string(name));
    return it->second;
  }

  Result<std::vector<ApiKeyRecord>> List() override {
    std::lock_guard lock(mu_);
    ++lists_;
    if (failing_reads_ > 0) {
      --failing_reads_;
      return Status::Unavailable("memory key store: injected read failure");
    }
    std::vector<ApiKeyRecord> all;
    all.reserve(records_.size());
    for (const auto& [name, record] : records_) all.push_back(record);
    return all;
  }

  // The next `count` List calls fail with Unavailable.
  void FailNextReads(int count) {
    std::lock_guard lock(mu_);
    failing_reads_ = count;
  }

  // How many times List was called.
  int lists() const {
    std::lock_guard lock(mu_);
    return lists_;
  }

 private:
  mutable std::mutex mu_;  // guards everything below
  std::map<std::string, ApiKeyRecord, std::less<>> records_;
  int lists_ = 0;
  int failing_reads_ = 0;
};

}  // namespace pictor::testing

#endif  // PICTOR_TESTS_FAKES_MEMORY_KEY_STORE_H_
