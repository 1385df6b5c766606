#include "keys/store/store_key_store.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "core/api_key.h"
#include "core/quota.h"
#include "keys/store/key_record_json.h"

namespace pictor {
namespace {

// A record is a few hundred bytes; a larger object is not one and is not worth parsing.
constexpr size_t kMaxRecordBytes = 64 * 1024;
constexpr std::string_view kContentType = "application/json";
constexpr std::string_view kSuffix = ".json";
constexpr std::string_view kRevokedDir = "revoked/";
constexpr std::string_view kMarkerContentType = "text/plain";

// ETags trusted to change whenever an object's bytes do: an MD5 in quotes, which S3 answers for
// every object written by a single PUT and the file store keeps beside each file. Any other tag
// (the file store's size-and-mtime fallback where it cannot keep one, which two writes of one
// size within the clock's tick would share) makes List read the object every time.
bool IsContentTag(std::string_view etag) {
  if (etag.size() != 34 || etag.front() != '"' || etag.back() != '"') return false;
  for (char c : etag.substr(1, 32)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Thread-safe: its settings are constant, the store is thread-safe, and List's cache is guarded
// by cache_mu_.
class StoreKeyStore final : public KeyStore {
 public:
  StoreKeyStore(ObjectStore& store, std::string dir) : store_(store), dir_(std::move(dir)) {}

  Status Create(const ApiKeyRecord& record) override {
    if (Status s = ValidateApiKeyRecord(record); !s.ok()) return s;
    const std::string key = KeyOf(record.name);
    Status put = store_.PutIfAbsent(key, keys_store::EncodeKeyRecord(record), kContentType);
    if (put.code() == StatusCode::kAlreadyExists) {
      // A PutIfAbsent retried inside the store may find what its own first attempt stored: the
      // hash, made from fresh random bytes, tells that record from anyone else's.
      auto there = Read(key, record.name);
      if (there.ok() && there->hash == record.hash) return Status::Ok();
      return Status::AlreadyExists("a key named '" + record.name +
                                   "' exists already (names of revoked keys are not reused)");
    }
    if (!put.ok()) return put.WithContext("creating key " + record.name);
    return Status::Ok();
  }

  Status Update(const ApiKeyRecord& record) override {
    if (Status s = ValidateApiKeyRecord(record); !s.ok()) return s;
    const std::string key = KeyOf(record.name);
    auto head = store_.Head(key);
    if (head.status().IsNotFound()) return Status::NotFound("no key named '" + record.name + "'");
    if (!head.ok()) return head.status().WithContext("updating key " + record.name);
    if (record.revoked_ms > 0) {
      // The marker first, never rewritten: a rotate racing this revoke may still write its record
      // (read before the revoke) over this one, but every read applies the marker to it.
      Status mark = store_.PutIfAbsent(RevokedKeyOf(record.name), std::to_string(record.revoked_ms),
                                       kMarkerContentType);
      if (!mark.ok() && mark.code() != StatusCode::kAlreadyExists) {
        return mark.WithContext("revoking key " + record.name);
      }
    }
    Status put = store_.Put(key, keys_store::EncodeKeyRecord(record), kContentType);
    if (!put.ok()) return put.WithContext("updating key " + record.name);
    return Status::Ok();
  }

  Result<ApiKeyRecord> Get(std::string_view name) override {
    // Names come from users: one that is not a key name cannot be an object of ours either.
    if (!ValidateKeyName(name).ok()) {
      return Status::NotFound("no key named '" + std::string(name.substr(0, 80)) + "'");
    }
    auto record = Read(KeyOf(name), name);
    if (!record.ok() || record->revoked_ms > 0) return record;
    if (Status s = ApplyRevocation(*record); !s.ok()) return s;
    return record;
  }

  // One LIST, then a GET only for the records whose ETag changed since the last List (see the
  // header): an authenticator refreshing every few seconds reads what changed, not every key.
  Result<std::vector<ApiKeyRecord>> List() override {
    const std::string listed_prefix = dir_ + "/";
    auto objects = store_.List(listed_prefix, kMaxStoreKeys + 1);
    if (!objects.ok()) return objects.status().WithContext("listing keys");
    if (objects->size() > kMaxStoreKeys) {
      return Status::ResourceExhausted("more than " + std::to_string(kMaxStoreKeys) +
                                       " objects under " + listed_prefix);
    }
    std::map<std::string, TaggedRecord, std::less<>> seen;  // the next cache: listed objects only
    std::vector<ApiKeyRecord> out;
    std::set<std::string, std::less<>> revoked;  // names with a revocation marker
    const std::string marker_prefix = listed_prefix + std::string(kRevokedDir);
    for (const ObjectInfo& info : *objects) {
      if (info.key.starts_with(marker_prefix)) {
        revoked.insert(info.key.substr(marker_prefix.size()));
      }
    }
    for (const ObjectInfo& info : *objects) {
      std::string_view file = std::string_view(info.key).substr(listed_prefix.size());
      if (!file.ends_with(kSuffix)) continue;
      file.remove_suffix(kSuffix.size());
      if (!ValidateKeyName(file).ok()) continue;  // not `<name>.json`, or in a subfolder
      if (auto cached = Cached(info); cached.has_value()) {
        out.push_back(cached->record);
        seen.emplace(info.key, std::move(*cached));
        continue;
      }
      std::string etag;
      auto record = Read(info.key, file, &etag);
      // Listed, then gone: the port never deletes, but an operator may have.
      if (record.status().IsNotFound()) continue;
      if (!record.ok()) return record.status();
      out.push_back(*record);
      // Keyed by the tag the GET answered with, which names exactly the bytes it returned.
      if (IsContentTag(etag)) seen.emplace(info.key, TaggedRecord{etag, std::move(record).value()});
    }
    {
      std::lock_guard lock(cache_mu_);
      cache_ = std::move(seen);
    }
    // A record that does not say it is revoked while its marker does: a rotate wrote it over the
    // revoke (rare, so the marker's one GET is no cost to the refresh).
    for (ApiKeyRecord& record : out) {
      if (record.revoked_ms > 0 || !revoked.contains(record.name)) continue;
      if (Status s = ApplyRevocation(record); !s.ok()) return s;
    }
    // The listing's order is not the names': "a-b.json" sorts before "a.json".
    std::sort(out.begin(), out.end(),
              [](const ApiKeyRecord& a, const ApiKeyRecord& b) { return a.name < b.name; });
    return out;
  }

 private:
  struct TaggedRecord {
    std::string etag;
    ApiKeyRecord record;
  };

  // The record List read last time from the object `info` lists, when its ETag is unchanged.
  std::optional<TaggedRecord> Cached(const ObjectInfo& info) {
    if (!IsContentTag(info.etag)) return std::nullopt;
    std::lock_guard lock(cache_mu_);
    auto it = cache_.find(info.key);
    if (it == cache_.end() || it->second.etag != info.etag) return std::nullopt;
    return it->second;
  }

  // The record at `key`, which must be the record of `name`; `etag`, when given, gets the ETag
  // of the object read.
  Result<ApiKeyRecord> Read(const std::string& key, std::string_view name,
                            std::string* etag = nullptr) {
    auto object = store_.Get(key);
    if (object.status().IsNotFound()) {
      return Status::NotFound("no key named '" + std::string(name) + "'");
    }
    if (!object.ok()) return object.status().WithContext("reading key " + std::string(name));
    if (object->data.size() > kMaxRecordBytes) {
      return Damaged(key, "is too large to be a key record");
    }
    auto record = keys_store::DecodeKeyRecord(object->data);
    if (!record.ok()) return Damaged(key, record.status().message());
    if (record->name != name) return Damaged(key, "holds the record of another key");
    if (etag != nullptr) *etag = object->info.etag;
    return record;
  }

  // DataLoss for the object at `key`; where it lives goes to the log only.
  Status Damaged(const std::string& key, std::string_view what) const {
    spdlog::error("key store: {}: {}", store_.Location(key), what);
    return Status::DataLoss("key record " + key + ": " + std::string(what));
  }

  std::string KeyOf(std::string_view name) const {
    return dir_ + "/" + std::string(name) + std::string(kSuffix);
  }

  // `<dir>/revoked/<name>`: written once by the revoke, holding its time in ms. Never removed,
  // never rewritten: what makes a revocation final (KeyStore::Update) on a store without
  // conditional updates.
  std::string RevokedKeyOf(std::string_view name) const {
    return dir_ + "/" + std::string(kRevokedDir) + std::string(name);
  }

  // Revokes `record` if its marker exists, at the marker's time (its object's time when the
  // text is not one), and drops its previous key.
  Status ApplyRevocation(ApiKeyRecord& record) {
    auto marker = store_.Get(RevokedKeyOf(record.name));
    if (marker.status().IsNotFound()) return Status::Ok();
    if (!marker.ok()) {
      return marker.status().WithContext("reading the revocation of key " + record.name);
    }
    int64_t at = 0;
    const std::string& text = marker->data;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), at);
    if (ec != std::errc() || end != text.data() + text.size() || at <= 0) {
      at = std::max<int64_t>(marker->info.last_modified_ms, 1);
    }
    record.revoked_ms = at;
    record.previous_hash.clear();
    record.previous_expires_ms = 0;
    return Status::Ok();
  }

  ObjectStore& store_;
  const std::string dir_;  // "<prefix>/keys" or "keys"

  std::mutex cache_mu_;  // guards cache_
  // By object key: the records the last List read, with the ETag they were read at.
  std::map<std::string, TaggedRecord, std::less<>> cache_;
};

}  // namespace

Result<std::unique_ptr<KeyStore>> OpenStoreKeyStore(ObjectStore& store, std::string prefix) {
  prefix = NormalizeKeyPrefix(prefix);
  std::string dir = prefix.empty() ? "keys" : prefix + "/keys";
  if (Status s = ValidateObjectKey(dir + "/x.json"); !s.ok()) {
    return Status::InvalidArgument("the key store's prefix '" + prefix +
                                   "' cannot begin an object key: " + s.message());
  }
  return std::unique_ptr<KeyStore>(std::make_unique<StoreKeyStore>(store, std::move(dir)));
}

}  // namespace pictor
