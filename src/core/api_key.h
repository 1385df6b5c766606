// API key material: making a key, the hash Pictor keeps of it, and a cheap test of its shape.
//
// A key is "pk_" followed by the base64url text (RFC 4648 section 5, no padding) of 32 bytes from
// the operating system's random source: 46 characters, 256 bits of entropy, safe in an HTTP
// header, a shell argument and a URL without escaping. Pictor shows a key once, when it is made,
// and keeps only HashApiKey(key): a fast hash is enough because the key is random and long (no
// dictionary to try), unlike a password.
//
// Free functions, thread-safe.
#ifndef PICTOR_CORE_API_KEY_H_
#define PICTOR_CORE_API_KEY_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "pictor/api_keys.h"
#include "pictor/status.h"

namespace pictor {

inline constexpr std::string_view kApiKeyPrefix = "pk_";
inline constexpr size_t kApiKeyRandomBytes = 32;
inline constexpr size_t kApiKeyLength = 46;  // "pk_" + 43 base64url characters

// A new key. Unavailable when the operating system's random source fails (never a weaker key).
Result<std::string> NewApiKey();

// The lower-case hex SHA-256 of the key's text: what a KeyStore keeps and looks keys up by.
std::string HashApiKey(std::string_view key);

// True when `text` has a key's shape: the prefix, then exactly 43 base64url characters whose
// last one carries no stray bits (what NewApiKey can make). Says nothing about whether the key
// exists; lets an authenticator refuse garbage without hashing it.
bool LooksLikeApiKey(std::string_view text);

// What every KeyStore checks before writing a record, and after reading one (a record that fails
// is DataLoss there): the name (ValidateKeyName); `hash` (and `previous_hash` when set) 64
// lower-case hex characters; scopes a non-empty subset of kAllScopes; a rate of 0..1000000
// requests per 1 s..31 days; each budget one that ParseBudget reads back exactly from
// FormatBudget (so every budget has a text form an operator could have written); times >= 0.
// InvalidArgument naming the first field that fails.
Status ValidateApiKeyRecord(const ApiKeyRecord& record);

// Budgets as one text, comma-separated in order: "5usd/day,50usd/month"; "" for none.
std::string FormatBudgetList(const std::vector<Budget>& budgets);
// The reverse; "" is no budgets. InvalidArgument naming the bad item.
Result<std::vector<Budget>> ParseBudgetList(std::string_view text);

}  // namespace pictor

#endif  // PICTOR_CORE_API_KEY_H_
