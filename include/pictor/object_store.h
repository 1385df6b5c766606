// ObjectStore: the port for where images (and job records) are kept.
#ifndef PICTOR_OBJECT_STORE_H_
#define PICTOR_OBJECT_STORE_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pictor/status.h"

namespace pictor {

struct ObjectInfo {
  std::string key;
  uint64_t size = 0;
  std::string content_type;
  std::string etag;              // quoted, as HTTP sends it
  int64_t last_modified_ms = 0;  // Unix epoch milliseconds
};

struct StoredObject {
  ObjectInfo info;
  std::string data;
};

// Keys are '/'-separated relative paths: at most 1024 bytes of UTF-8, no empty segment,
// no '.' or '..' segment, no leading '/', no NUL or control characters.
//
// Thread-safety: implementations are thread-safe.
class ObjectStore {
 public:
  ObjectStore() = default;
  ObjectStore(const ObjectStore&) = delete;
  ObjectStore& operator=(const ObjectStore&) = delete;
  virtual ~ObjectStore() = default;

  // Stores `data` under `key`, replacing any object there. When OK is returned the object is
  // durable: a crash of any process afterwards does not lose it. Readers never see a
  // partially written object. InvalidArgument for a bad key.
  virtual Status Put(std::string_view key, std::string_view data,
                     std::string_view content_type) = 0;

  // Stores `data` under `key` only when no object has that key: the compare-and-set on which
  // records that must be created once (an idempotency key's first job) are built. AlreadyExists
  // when an object is there, whoever wrote it and however (Put or PutIfAbsent); the existing
  // object is left as it was. Atomic against concurrent callers in any process sharing the
  // store: of several racing for one key, exactly one gets OK and the others AlreadyExists, and
  // readers see either no object or the whole winning one. On OK the same durability promise as
  // Put holds. After a retryable status (Unavailable...) the object may or may not have been
  // stored, and an adapter that retries internally may answer AlreadyExists for the object its
  // own first attempt stored: a caller that must tell the two apart writes something of its own
  // (an id) into `data` and reads it back. InvalidArgument for a bad key.
  virtual Status PutIfAbsent(std::string_view key, std::string_view data,
                             std::string_view content_type) = 0;

  // Removes the object at `key`. OK when there was none (as S3's DeleteObject answers), so a
  // retried or repeated delete is harmless. Once OK is returned, Get and Head answer NotFound
  // (until something is stored there again). InvalidArgument for a bad key.
  virtual Status Delete(std::string_view key) = 0;

  // NotFound when absent.
  virtual Result<StoredObject> Get(std::string_view key) = 0;
  virtual Result<ObjectInfo> Head(std::string_view key) = 0;

  // Objects whose keys start with `prefix`, in key order, at most `max_keys` of them.
  virtual Result<std::vector<ObjectInfo>> List(std::string_view prefix, size_t max_keys) = 0;

  // Like List, but only keys that sort after `start_after` (byte order): the page of a listing
  // that follows the page whose last key was `start_after` (empty: from the first key, as List).
  // The store starts where asked (S3's start-after), so a later page costs what the first does:
  // what the store ledger's List pages through its index with.
  virtual Result<std::vector<ObjectInfo>> ListAfter(std::string_view prefix,
                                                    std::string_view start_after,
                                                    size_t max_keys) = 0;

  // Where an object lives, for people and logs: "/abs/dir/key" or "s3://bucket/key".
  virtual std::string Location(std::string_view key) const = 0;

  // A URL a client can fetch the object from directly (a presigned URL), or nullopt when the
  // store has none and the API serves the bytes itself.
  virtual std::optional<std::string> DirectUrl(std::string_view /*key*/,
                                               std::chrono::seconds /*ttl*/) {
    return std::nullopt;
  }
};

// Checks a key against the rules above. Shared by every adapter.
Status ValidateObjectKey(std::string_view key);

// "/images//jobs/" -> "images/jobs": a key prefix without empty segments. Prefixes are often
// built by joining settings that may end in '/' (KEY_PREFIX=images/), and an empty segment would
// make every key under them invalid.
std::string NormalizeKeyPrefix(std::string_view prefix);

}  // namespace pictor

#endif  // PICTOR_OBJECT_STORE_H_
