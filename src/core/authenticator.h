// Authenticator: which API key, if any, a presented key text is, answered from a cached copy of
// the KeyStore's whole set, so that authenticating costs a SHA-256 and a hash-map lookup, never
// a store call, and an unknown key costs no more than a known one.
//
// The set is re-read every `max_age` (2 s by default): by a background thread when
// StartRefreshing was called (serve), otherwise by the first request that finds it older (the
// Lambda API function, whose threads are frozen between invocations). A key revoked on any
// process therefore stops being accepted here within about max_age. A failed re-read keeps the
// last good set (a store outage must not lock every caller out) and logs why, never a key.
//
// Keys are matched by the SHA-256 of their text: the map is keyed by that hash, and the stored
// hash is then compared with the computed one in constant time. What the map's timing could
// reveal is about the hash of the attempt, which says nothing about any valid key.
//
// Thread-safety: thread-safe. The borrowed KeyStore outlives the Authenticator.
#ifndef PICTOR_CORE_AUTHENTICATOR_H_
#define PICTOR_CORE_AUTHENTICATOR_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "pictor/api_keys.h"
#include "pictor/status.h"

namespace pictor {

// What a request learns about the key it presented. Never the key text or its hash.
struct AuthenticatedKey {
  std::string name;
  uint32_t scopes = 0;
  RateLimit rate;
  std::vector<Budget> budgets;
};

struct AuthenticatorOptions {
  std::chrono::milliseconds max_age{2000};  // the key set is re-read at least this often
  std::function<int64_t()> now_ms;          // Unix epoch milliseconds; empty: the system clock
};

class Authenticator {
 public:
  Authenticator(KeyStore& store, AuthenticatorOptions options = {});
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;
  ~Authenticator();  // stops the refresher thread, if any

  // Reads the key set now. At start-up a failure here is fatal (a server that cannot read its
  // keys must not start); later, the set it had is kept.
  Status Refresh();

  // Keeps the set fresh from a background thread, re-reading it every max_age.
  void StartRefreshing();

  // The key whose text is `key_text`: an active key, or a rotated-out one within its grace.
  // Unauthenticated (reason "invalid_api_key") otherwise, with a message that names no key;
  // Unavailable when the set has never been read.
  Result<AuthenticatedKey> Authenticate(std::string_view key_text);

  // The cached record of the key named `name` (active or not), without its hashes.
  std::optional<AuthenticatedKey> Find(std::string_view name);

 private:
  struct KeySet;  // an immutable snapshot of the store's records, indexed by hash and name

  int64_t Now() const;
  Status RefreshLocked();  // Refresh, refresh_mu_ held
  // The current set; when `refresh_when_old` and no background thread keeps it fresh, re-read
  // first if it is older than max_age.
  std::shared_ptr<const KeySet> Current(bool refresh_when_old);
  void RefreshLoop();

  KeyStore& store_;
  const AuthenticatorOptions options_;

  std::mutex refresh_mu_;  // one reader of the store at a time
  std::mutex set_mu_;      // guards set_ (the pointer; the snapshot itself is immutable)
  std::shared_ptr<const KeySet> set_;
  std::atomic<int64_t> next_refresh_ms_{0};  // when a request should re-read the set itself
  std::atomic<bool> refreshing_in_background_{false};

  std::mutex stop_mu_;  // guards stopping_
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread refresher_;
};

// Whether two byte strings are equal, in time that depends on their lengths only.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace pictor

#endif  // PICTOR_CORE_AUTHENTICATOR_H_
