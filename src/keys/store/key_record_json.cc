#include "keys/store/key_record_json.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <utility>

#include "core/api_key.h"
#include "core/quota.h"
#include "core/strict_json.h"

namespace pictor::keys_store {
namespace {

using Json = nlohmann::json;

Status Unreadable(std::string_view why) {
  return Status::DataLoss("key record is unreadable: " + std::string(why));
}

Status ReadString(const Json& doc, const char* name, std::string& out) {
  auto it = doc.find(name);
  if (it == doc.end() || !it->is_string()) {
    return Unreadable(std::string("\"") + name + "\" is missing or not a string");
  }
  out = it->get<std::string>();
  return Status::Ok();
}

// A signed 64-bit integer field; 1e3, 1.5 and values beyond int64 are refused.
Status ReadInteger(const Json& doc, const char* name, int64_t& out) {
  auto it = doc.find(name);
  if (it != doc.end() && it->is_number_unsigned()) {
    if (uint64_t v = it->get<uint64_t>(); std::in_range<int64_t>(v)) {
      out = static_cast<int64_t>(v);
      return Status::Ok();
    }
  } else if (it != doc.end() && it->is_number_integer()) {
    out = it->get<int64_t>();
    return Status::Ok();
  }
  return Unreadable(std::string("\"") + name + "\" is missing or not an integer in range");
}

}  // namespace

std::string EncodeKeyRecord(const ApiKeyRecord& r) {
  Json budgets = Json::array();
  for (const Budget& b : r.budgets) budgets.push_back(FormatBudget(b));
  Json doc = {{"version", kKeyRecordVersion},
              {"name", r.name},
              {"hash", r.hash},
              {"scopes", FormatScopes(r.scopes)},
              {"rate", {{"count", r.rate.count}, {"period_s", r.rate.period_s}}},
              {"budgets", std::move(budgets)},
              {"created_ms", r.created_ms},
              {"revoked_ms", r.revoked_ms},
              {"previous_hash", r.previous_hash},
              {"previous_expires_ms", r.previous_expires_ms}};
  // Every string is ASCII once validated; `replace` keeps a bad one from throwing regardless.
  return doc.dump(-1, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace);
}

Result<ApiKeyRecord> DecodeKeyRecord(std::string_view json) {
  Json doc;
  if (Status s = ParseStrictJson(json, &doc); !s.ok()) {
    return Unreadable(s.reason() == "duplicate_key" ? s.message() : "not JSON");
  }
  if (!doc.is_object()) return Unreadable("not a JSON object");
  int64_t version = 0;
  if (Status s = ReadInteger(doc, "version", version); !s.ok()) return s;
  if (version != kKeyRecordVersion) {
    return Unreadable("version " + std::to_string(version) + " is not the supported " +
                      std::to_string(kKeyRecordVersion));
  }
  ApiKeyRecord r;
  std::string scopes;
  for (Status s : {ReadString(doc, "name", r.name), ReadString(doc, "hash", r.hash),
                   ReadString(doc, "scopes", scopes), ReadInteger(doc, "created_ms", r.created_ms),
                   ReadInteger(doc, "revoked_ms", r.revoked_ms),
                   ReadString(doc, "previous_hash", r.previous_hash),
                   ReadInteger(doc, "previous_expires_ms", r.previous_expires_ms)}) {
    if (!s.ok()) return s;
  }
  auto parsed_scopes = ParseScopes(scopes);
  if (!parsed_scopes.ok()) return Unreadable(parsed_scopes.status().message());
  r.scopes = *parsed_scopes;
  auto rate = doc.find("rate");
  if (rate == doc.end() || !rate->is_object()) return Unreadable("\"rate\" is not an object");
  for (Status s : {ReadInteger(*rate, "count", r.rate.count),
                   ReadInteger(*rate, "period_s", r.rate.period_s)}) {
    if (!s.ok()) return s;
  }
  auto budgets = doc.find("budgets");
  if (budgets == doc.end() || !budgets->is_array()) {
    return Unreadable("\"budgets\" is not an array");
  }
  for (const Json& item : *budgets) {
    if (!item.is_string()) return Unreadable("a budget is not a string");
    auto budget = ParseBudget(item.get<std::string>());
    if (!budget.ok()) return Unreadable(budget.status().message());
    r.budgets.push_back(*budget);
  }
  if (Status s = ValidateApiKeyRecord(r); !s.ok()) return Unreadable(s.message());
  return r;
}

}  // namespace pictor::keys_store
