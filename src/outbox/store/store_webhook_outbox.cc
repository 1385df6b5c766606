#include "outbox/store/store_webhook_outbox.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

namespace pictor {
namespace {

using Json = nlohmann::json;

// The most pending messages one claim or count looks at.
constexpr size_t kMaxListed = 1000;
constexpr std::string_view kSuffix = ".json";

std::string Encode(const WebhookMessage& m) {
  return Json{{"id", m.id},
              {"job_id", m.job_id},
              {"url", m.url},
              {"trusted", m.trusted},
              {"reported", m.reported},
              {"body", m.body},
              {"attempts", m.attempts},
              {"created_ms", m.created_ms},
              {"next_attempt_ms", m.next_attempt_ms}}
      .dump();
}

Result<WebhookMessage> Decode(std::string_view data) {
  Json doc = Json::parse(data, nullptr, false);
  if (!doc.is_object()) return Status::DataLoss("a webhook message is not a JSON object");
  try {
    WebhookMessage m;
    m.id = doc.at("id").get<std::string>();
    m.job_id = doc.at("job_id").get<std::string>();
    m.url = doc.at("url").get<std::string>();
    m.trusted = doc.at("trusted").get<bool>();
    m.reported = doc.at("reported").get<bool>();
    m.body = doc.at("body").get<std::string>();
    m.attempts = doc.at("attempts").get<int>();
    m.created_ms = doc.at("created_ms").get<int64_t>();
    m.next_attempt_ms = doc.at("next_attempt_ms").get<int64_t>();
    return m;
  } catch (const Json::exception& e) {
    return Status::DataLoss(std::string("a webhook message is unreadable: ") + e.what());
  }
}

class StoreWebhookOutbox final : public WebhookOutbox {
 public:
  StoreWebhookOutbox(ObjectStore& store, std::string root)
      : store_(store), pending_(root + "pending/"), leases_(root + "leases/") {}

  Status Add(const WebhookMessage& m) override {
    if (!IsValidWebhookMessageId(m.id)) {
      return Status::InvalidArgument("invalid webhook message id");
    }
    Status s = store_.PutIfAbsent(KeyOf(m.id), Encode(m), "application/json");
    if (s.code() == StatusCode::kAlreadyExists) return Status::Ok();
    return s.WithContext("keeping webhook " + m.id);
  }

  Result<std::vector<WebhookMessage>> Claim(int64_t now_ms, int64_t lease_ms, int max) override {
    std::vector<WebhookMessage> due;
    if (max <= 0) return due;
    auto listed = store_.List(pending_, kMaxListed);
    if (!listed.ok()) return listed.status().WithContext("listing webhooks");
    for (const ObjectInfo& info : *listed) {
      auto object = store_.Get(info.key);
      if (object.status().IsNotFound()) continue;  // delivered meanwhile
      if (!object.ok()) return object.status().WithContext("reading a webhook");
      auto m = Decode(object->data);
      if (!m.ok()) continue;  // not ours to remove; it stays out of the way
      if (m->next_attempt_ms <= now_ms) due.push_back(std::move(m).value());
    }
    std::sort(due.begin(), due.end(), [](const WebhookMessage& a, const WebhookMessage& b) {
      return a.next_attempt_ms != b.next_attempt_ms ? a.next_attempt_ms < b.next_attempt_ms
                                                    : a.id < b.id;
    });
    std::vector<WebhookMessage> claimed;
    const int64_t window = lease_ms > 0 ? now_ms / lease_ms : now_ms;
    for (WebhookMessage& m : due) {
      if (static_cast<int>(claimed.size()) >= max) break;
      const std::string lease =
          leases_ + m.id + "/" + std::to_string(m.attempts) + "-" + std::to_string(window);
      Status won = store_.PutIfAbsent(lease, std::to_string(now_ms + lease_ms), "text/plain");
      if (won.code() == StatusCode::kAlreadyExists) continue;
      if (!won.ok()) return won.WithContext("leasing webhook " + m.id);
      WebhookMessage leased = m;
      leased.next_attempt_ms = now_ms + lease_ms;
      (void)store_.Put(KeyOf(m.id), Encode(leased), "application/json");
      claimed.push_back(std::move(m));
    }
    return claimed;
  }

  Status Reschedule(const WebhookMessage& m) override {
    auto existing = store_.Head(KeyOf(m.id));
    if (existing.status().IsNotFound()) return Status::Ok();
    if (!existing.ok()) return existing.status();
    if (Status s = store_.Put(KeyOf(m.id), Encode(m), "application/json"); !s.ok()) {
      return s.WithContext("rescheduling webhook " + m.id);
    }
    DropLeases(m.id);
    return Status::Ok();
  }

  Status Remove(std::string_view id) override {
    if (Status s = store_.Delete(KeyOf(id)); !s.ok()) {
      return s.WithContext("removing webhook " + std::string(id));
    }
    DropLeases(id);
    return Status::Ok();
  }

  Result<int64_t> Count() override {
    auto listed = store_.List(pending_, kMaxListed);
    if (!listed.ok()) return listed.status().WithContext("counting webhooks");
    return static_cast<int64_t>(listed->size());
  }

 private:
  std::string KeyOf(std::string_view id) const {
    return pending_ + std::string(id) + std::string(kSuffix);
  }

  // Lease objects only prevent a double claim while they are current: left-overs are harmless,
  // so a failure to delete them is not one of the caller's.
  void DropLeases(std::string_view id) {
    auto leases = store_.List(leases_ + std::string(id) + "/", 100);
    if (!leases.ok()) return;
    for (const ObjectInfo& info : *leases) (void)store_.Delete(info.key);
  }

  ObjectStore& store_;
  const std::string pending_;  // "<prefix>/webhooks/pending/"
  const std::string leases_;   // "<prefix>/webhooks/leases/"
};

}  // namespace

Result<std::unique_ptr<WebhookOutbox>> OpenStoreWebhookOutbox(ObjectStore& store,
                                                              std::string prefix) {
  prefix = NormalizeKeyPrefix(prefix);
  std::string root = prefix.empty() ? "webhooks/" : prefix + "/webhooks/";
  if (Status s = ValidateObjectKey(root + "pending/x.json"); !s.ok()) {
    return Status::InvalidArgument("the webhook outbox's prefix '" + prefix +
                                   "' cannot begin an object key: " + s.message());
  }
  return std::unique_ptr<WebhookOutbox>(
      std::make_unique<StoreWebhookOutbox>(store, std::move(root)));
}

}  // namespace pictor
