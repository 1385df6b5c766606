// An ApiKeyRecord as the JSON object the store key store keeps (store_key_store.h):
//   {"version":1,"name":"ci","hash":"<64 hex>","scopes":"generate,read",
//    "rate":{"count":60,"period_s":60},"budgets":["5usd/day"],"created_ms":...,
//    "revoked_ms":0,"previous_hash":"","previous_expires_ms":0}
// Scopes and budgets are in their text forms (core/quota.h), so a record reads like the command
// that made it.
//
// Pure functions, thread-safe.
#ifndef PICTOR_KEYS_STORE_KEY_RECORD_JSON_H_
#define PICTOR_KEYS_STORE_KEY_RECORD_JSON_H_

#include <string>
#include <string_view>

#include "pictor/api_keys.h"
#include "pictor/status.h"

namespace pictor::keys_store {

inline constexpr int kKeyRecordVersion = 1;

std::string EncodeKeyRecord(const ApiKeyRecord& record);

// DataLoss saying what is wrong when `json` is not such a record (not JSON, a duplicate name,
// another version, a field missing or of the wrong type, or a record ValidateApiKeyRecord
// refuses).
Result<ApiKeyRecord> DecodeKeyRecord(std::string_view json);

}  // namespace pictor::keys_store

#endif  // PICTOR_KEYS_STORE_KEY_RECORD_JSON_H_
