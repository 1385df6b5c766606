// API keys: who may call Pictor, with which scopes, at which rate and within which budgets.
//
// A key is `pk_` followed by the base64url text of 32 random bytes; Pictor shows it once, when it
// is made, and keeps only its SHA-256 (lower-case hex). The KeyStore port keeps those records
// where every process that authenticates can read them: beside the SQLite ledger, or in the object
// store under `<prefix>/keys/` (so serve, workers and the Lambda functions share one set).
#ifndef PICTOR_API_KEYS_H_
#define PICTOR_API_KEYS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pictor/status.h"

namespace pictor {

// What a key may do; a key holds a set of these (a bit mask).
enum Scope : uint32_t {
  kScopeGenerate = 1,  // create images: POST /generate-image, POST /jobs, /v1/images/generations
  kScopeRead = 2,      // read jobs, images and models (its own jobs only, without admin)
  kScopeAdmin = 4,     // everything, every key's jobs, /metrics
};
inline constexpr uint32_t kAllScopes = kScopeGenerate | kScopeRead | kScopeAdmin;

// A token-bucket rate: `count` requests per `period_s` seconds, bursting up to `count`.
// count 0: unlimited. Text form "60/min" (core/quota.h).
struct RateLimit {
  int64_t count = 0;
  int64_t period_s = 60;
  bool unlimited() const { return count == 0; }
  bool operator==(const RateLimit&) const = default;
};

// Budget periods are calendar periods in UTC: a day from 00:00, a month from the 1st.
enum class BudgetPeriod { kDay, kMonth };

// At most `usd` US dollars of list price per period. Text form "5usd/day", "50usd/month".
struct Budget {
  double usd = 0;
  BudgetPeriod period = BudgetPeriod::kDay;
  bool operator==(const Budget&) const = default;
};

struct ApiKeyRecord {
  std::string name;  // [a-z0-9][a-z0-9._-]{0,63}: shown in logs, metrics and job records
  std::string hash;  // lower-case hex SHA-256 of the key text
  uint32_t scopes = kScopeGenerate | kScopeRead;
  RateLimit rate;               // on requests that create images
  std::vector<Budget> budgets;  // each must hold; empty: only the global budgets apply
  int64_t created_ms = 0;
  int64_t revoked_ms = 0;  // 0: active; a revoked key is refused from then on
  // `keys rotate`: the replaced key's hash, still accepted until previous_expires_ms.
  std::string previous_hash;
  int64_t previous_expires_ms = 0;
  bool operator==(const ApiKeyRecord&) const = default;
};

// Thread-safety: implementations are thread-safe and may be shared by several processes.
class KeyStore {
 public:
  KeyStore() = default;
  KeyStore(const KeyStore&) = delete;
  KeyStore& operator=(const KeyStore&) = delete;
  virtual ~KeyStore() = default;

  // Adds a record. AlreadyExists when a record of that name exists (revoked ones included: a
  // name, once used, keeps identifying one key in job records and spend).
  virtual Status Create(const ApiKeyRecord& record) = 0;

  // Replaces the record of record.name (revoke, rotate). NotFound when there is none. A
  // revocation is final: an Update never makes a revoked key active again, so a rotate written
  // from a read made before a concurrent revoke leaves the key revoked (at the time it was
  // revoked, without a previous key) instead of undoing the revoke.
  virtual Status Update(const ApiKeyRecord& record) = 0;

  // NotFound when there is no record of that name.
  virtual Result<ApiKeyRecord> Get(std::string_view name) = 0;

  // Every record, revoked ones included, in name order. Authenticators read the whole set and
  // refresh it every few seconds: keys are few, and an unknown key then costs no lookup.
  virtual Result<std::vector<ApiKeyRecord>> List() = 0;
};

}  // namespace pictor

#endif  // PICTOR_API_KEYS_H_
