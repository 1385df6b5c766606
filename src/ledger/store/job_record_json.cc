#include "ledger/store/job_record_json.h"

#include <nlohmann/json.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <utility>

#include "core/strict_json.h"

namespace pictor::ledger_store {
namespace {

using Json = nlohmann::json;

constexpr std::array<JobState, 5> kStates = {JobState::kQueued, JobState::kRunning,
                                             JobState::kSucceeded, JobState::kFailed,
                                             JobState::kCancelled};

Status Unreadable(std::string_view why) {
  return Status::DataLoss("job record is unreadable: " + std::string(why));
}

Status ReadString(const Json& doc, const char* name, std::string& out) {
  auto it = doc.find(name);
  if (it == doc.end() || !it->is_string()) {
    return Unreadable(std::string("\"") + name + "\" is missing or not a string");
  }
  out = it->get<std::string>();
  return Status::Ok();
}

// An integer field that fits T. Checked before the cast, which would wrap or truncate: 1e3, 1.5,
// -1 for an unsigned field and 2^40 for an int are all refused.
template <typename T>
Status ReadInteger(const Json& doc, const char* name, T& out) {
  auto it = doc.find(name);
  if (it != doc.end() && it->is_number_unsigned()) {
    if (uint64_t v = it->get<uint64_t>(); std::in_range<T>(v)) {
      out = static_cast<T>(v);
      return Status::Ok();
    }
  } else if (it != doc.end() && it->is_number_integer()) {
    if (int64_t v = it->get<int64_t>(); std::in_range<T>(v)) {
      out = static_cast<T>(v);
      return Status::Ok();
    }
  }
  return Unreadable(std::string("\"") + name + "\" is missing or not an integer in range");
}

// An optional integer field: absent in records written before it existed.
template <typename T>
Status ReadOptionalInteger(const Json& doc, const char* name, T& out) {
  return doc.contains(name) ? ReadInteger(doc, name, out) : Status::Ok();
}

Status ReadOptionalString(const Json& doc, const char* name, std::string& out) {
  return doc.contains(name) ? ReadString(doc, name, out) : Status::Ok();
}

Status ReadWebhook(const Json& doc, WebhookDelivery& out) {
  auto it = doc.find("webhook");
  if (it == doc.end()) return Status::Ok();
  if (!it->is_object()) return Unreadable("\"webhook\" is not an object");
  for (Status s : {ReadString(*it, "state", out.state), ReadInteger(*it, "attempts", out.attempts),
                   ReadInteger(*it, "last_status", out.last_status),
                   ReadInteger(*it, "last_attempt_ms", out.last_attempt_ms),
                   ReadString(*it, "last_error", out.last_error)}) {
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace

std::string EncodeJobRecord(const JobRecord& record) {
  Json doc = {{"version", kJobRecordVersion},
              {"id", record.id},
              {"state", JobStateName(record.state)},
              {"prompt", record.prompt},
              {"seed", record.seed},
              {"width", record.width},
              {"height", record.height},
              {"key", record.key},
              {"error", record.error},
              {"attempts", record.attempts},
              {"created_ms", record.created_ms},
              {"updated_ms", record.updated_ms},
              {"idempotency_key", record.idempotency_key},
              {"request_digest", record.request_digest},
              {"enqueued", record.enqueued},
              {"owner", record.owner},
              {"model", record.model},
              {"cost_usd", std::isfinite(record.cost_usd) ? record.cost_usd : 0.0},
              {"negative_prompt", record.negative_prompt},
              {"started_ms", record.started_ms},
              {"finished_ms", record.finished_ms},
              {"generation_ms", record.generation_ms},
              {"webhook_url", record.webhook_url},
              {"webhook",
               {{"state", record.webhook.state},
                {"attempts", record.webhook.attempts},
                {"last_status", record.webhook.last_status},
                {"last_attempt_ms", record.webhook.last_attempt_ms},
                {"last_error", record.webhook.last_error}}}};
  // `replace`: invalid UTF-8 becomes U+FFFD instead of an exception.
  return doc.dump(-1, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace);
}

Result<JobRecord> DecodeJobRecord(std::string_view json) {
  Json doc;
  if (Status s = ParseStrictJson(json, &doc); !s.ok()) {
    return Unreadable(s.reason() == "duplicate_key" ? s.message() : "not JSON");
  }
  if (!doc.is_object()) return Unreadable("not a JSON object");
  int version = 0;
  if (Status s = ReadInteger(doc, "version", version); !s.ok()) return s;
  if (version != kJobRecordVersion) {
    return Unreadable("version " + std::to_string(version) + " is not the supported " +
                      std::to_string(kJobRecordVersion));
  }
  JobRecord r;
  std::string state;
  for (Status s :
       {ReadString(doc, "id", r.id), ReadString(doc, "state", state),
        ReadString(doc, "prompt", r.prompt), ReadInteger(doc, "seed", r.seed),
        ReadInteger(doc, "width", r.width), ReadInteger(doc, "height", r.height),
        ReadString(doc, "key", r.key), ReadString(doc, "error", r.error),
        ReadInteger(doc, "attempts", r.attempts), ReadInteger(doc, "created_ms", r.created_ms),
        ReadInteger(doc, "updated_ms", r.updated_ms),
        ReadString(doc, "idempotency_key", r.idempotency_key),
        ReadString(doc, "request_digest", r.request_digest)}) {
    if (!s.ok()) return s;
  }
  // Absent in records written before it existed: false, so a replay re-sends (harmless).
  if (auto it = doc.find("enqueued"); it != doc.end()) {
    if (!it->is_boolean()) return Unreadable("\"enqueued\" is not a boolean");
    r.enqueued = it->get<bool>();
  }
  // Absent in records written before they existed (see the header).
  for (auto [name, out] : {std::pair{"owner", &r.owner}, std::pair{"model", &r.model}}) {
    if (doc.contains(name)) {
      if (Status s = ReadString(doc, name, *out); !s.ok()) return s;
    }
  }
  if (auto it = doc.find("cost_usd"); it != doc.end()) {
    if (!it->is_number() || !std::isfinite(it->get<double>()) || it->get<double>() < 0) {
      return Unreadable("\"cost_usd\" is not a number of dollars");
    }
    r.cost_usd = it->get<double>();
  }
  for (Status s :
       {ReadOptionalString(doc, "negative_prompt", r.negative_prompt),
        ReadOptionalInteger(doc, "started_ms", r.started_ms),
        ReadOptionalInteger(doc, "finished_ms", r.finished_ms),
        ReadOptionalInteger(doc, "generation_ms", r.generation_ms),
        ReadOptionalString(doc, "webhook_url", r.webhook_url), ReadWebhook(doc, r.webhook)}) {
    if (!s.ok()) return s;
  }
  bool known = false;
  for (JobState candidate : kStates) {
    if (JobStateName(candidate) == state) {
      r.state = candidate;
      known = true;
    }
  }
  if (!known) return Unreadable("unknown state \"" + state + "\"");
  return r;
}

}  // namespace pictor::ledger_store
