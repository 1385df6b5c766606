#include "core/authenticator.h"

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include <utility>

#include "core/digest.h"
#include "core/pipeline.h"

namespace pictor {

struct Authenticator::KeySet {
  struct Entry {
    const ApiKeyRecord* record;
    int64_t expires_ms;  // 0: while the record is not revoked; else a rotated-out hash's end
  };
  std::vector<ApiKeyRecord> records;
  std::unordered_map<std::string, Entry> by_hash;
  std::unordered_map<std::string, const ApiKeyRecord*> by_name;
};

namespace {

AuthenticatedKey Describe(const ApiKeyRecord& record) {
  return AuthenticatedKey{record.name, record.scopes, record.rate, record.budgets};
}

Status Refused() {
  // The same words for an unknown, revoked or expired key: the answer tells a guesser nothing.
  return Status::Unauthenticated("the API key is not valid (unknown, revoked or expired)");
}

}  // namespace

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Authenticator::Authenticator(KeyStore& store, AuthenticatorOptions options)
    : store_(store), options_(std::move(options)) {}

Authenticator::~Authenticator() {
  {
    std::lock_guard lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (refresher_.joinable()) refresher_.join();
}

int64_t Authenticator::Now() const { return options_.now_ms ? options_.now_ms() : NowMs(); }

Status Authenticator::Refresh() {
  std::lock_guard refreshing(refresh_mu_);
  return RefreshLocked();
}

Status Authenticator::RefreshLocked() {
  next_refresh_ms_ = Now() + options_.max_age.count();
  auto listed = store_.List();
  if (!listed.ok()) {
    // The store's message names the store, never a key: the store holds hashes only.
    spdlog::warn("reading the API keys failed; keeping the {} set: {}",
                 Current(false) ? "last" : "empty", listed.status().ToString());
    return listed.status().WithContext("reading the API keys");
  }
  auto set = std::make_shared<KeySet>();
  set->records = std::move(listed).value();
  for (const ApiKeyRecord& record : set->records) {
    set->by_name.emplace(record.name, &record);
    if (!record.hash.empty()) set->by_hash.emplace(record.hash, KeySet::Entry{&record, 0});
    if (!record.previous_hash.empty() && record.previous_expires_ms > 0) {
      set->by_hash.emplace(record.previous_hash,
                           KeySet::Entry{&record, record.previous_expires_ms});
    }
  }
  std::lock_guard lock(set_mu_);
  set_ = std::move(set);
  return Status::Ok();
}

std::shared_ptr<const Authenticator::KeySet> Authenticator::Current(bool refresh_when_old) {
  if (refresh_when_old && !refreshing_in_background_ && Now() >= next_refresh_ms_.load()) {
    // One caller re-reads the set; the others answer from the one they have meanwhile.
    std::unique_lock refreshing(refresh_mu_, std::try_to_lock);
    if (refreshing.owns_lock()) (void)RefreshLocked();
  }
  std::lock_guard lock(set_mu_);
  return set_;
}

void Authenticator::StartRefreshing() {
  if (refresher_.joinable()) return;
  refreshing_in_background_ = true;
  refresher_ = std::thread([this] { RefreshLoop(); });
}

void Authenticator::RefreshLoop() {
  const auto period = options_.max_age;
  std::unique_lock lock(stop_mu_);
  while (!stop_cv_.wait_for(lock, period, [this] { return stopping_; })) {
    lock.unlock();
    (void)Refresh();  // logged there; the last good set stays
    lock.lock();
  }
}

Result<AuthenticatedKey> Authenticator::Authenticate(std::string_view key_text) {
  std::shared_ptr<const KeySet> set = Current(true);
  if (set == nullptr) return Status::Unavailable("the API keys could not be read");
  const std::string hash = Sha256Hex(key_text);
  auto found = set->by_hash.find(hash);
  if (found == set->by_hash.end() || !ConstantTimeEquals(found->first, hash)) return Refused();
  const KeySet::Entry& entry = found->second;
  const int64_t now = Now();
  if (entry.record->revoked_ms != 0 && entry.record->revoked_ms <= now) return Refused();
  if (entry.expires_ms != 0 && entry.expires_ms <= now) return Refused();
  return Describe(*entry.record);
}

std::optional<AuthenticatedKey> Authenticator::Find(std::string_view name) {
  std::shared_ptr<const KeySet> set = Current(false);
  if (set == nullptr) return std::nullopt;
  auto found = set->by_name.find(std::string(name));
  if (found == set->by_name.end()) return std::nullopt;
  return Describe(*found->second);
}

}  // namespace pictor
