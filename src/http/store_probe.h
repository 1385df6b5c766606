// Whether the object store can be written right now, for GET /readyz: a small probe object is
// written and deleted, at most once per interval, and the last answer kept in between.
#ifndef PICTOR_HTTP_STORE_PROBE_H_
#define PICTOR_HTTP_STORE_PROBE_H_

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "pictor/object_store.h"
#include "pictor/status.h"

namespace pictor::http {

// Thread-safe. Borrowed store outlives it.
class StoreProbe {
 public:
  // Probes under `<key_prefix>/generated_images/`, where images go, so a fault of that very
  // directory is seen. `interval` bounds how often the store is written: a load balancer asking
  // many times a second costs one Put and one Delete per interval.
  StoreProbe(ObjectStore& store, std::string key_prefix, std::chrono::milliseconds interval);

  // OK when the last probe (made now if the last is older than the interval) could write its
  // object (it is then deleted; a failed delete is only logged); otherwise that probe's error,
  // whose message names no server path. While
  // one caller probes, the others get the previous answer rather than waiting, except before
  // the first answer exists.
  Status Check();

 private:
  Status Probe();

  ObjectStore& store_;
  const std::string key_;  // <prefix>/generated_images/.pictor-readyz-<uuid of this probe>
  const std::chrono::milliseconds interval_;

  std::mutex probe_mu_;   // held while probing: one probe at a time
  std::mutex result_mu_;  // guards last_ and last_at_
  std::optional<Status> last_;
  std::chrono::steady_clock::time_point last_at_;
};

}  // namespace pictor::http

#endif  // PICTOR_HTTP_STORE_PROBE_H_
