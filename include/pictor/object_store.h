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

  // NotFound when absent.
  virtual Result<StoredObject> Get(std::string_view key) = 0;
  virtual Result<ObjectInfo> Head(std::string_view key) = 0;

  // Objects whose keys start with `prefix`, in key order, at most `max_keys` of them.
  virtual Result<std::vector<ObjectInfo>> List(std::string_view prefix, size_t max_keys) = 0;

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

}  // namespace pictor

#endif  // PICTOR_OBJECT_STORE_H_
