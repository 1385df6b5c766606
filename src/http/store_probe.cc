#include "http/store_probe.h"

#include <spdlog/spdlog.h>

#include "core/ids.h"

namespace pictor::http {
namespace {

// "cand/" and "cand" name the same prefix, as in ImageKey.
std::string WithoutTrailingSlashes(std::string prefix) {
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  return prefix;
}

std::string ProbeKey(const std::string& prefix) {
  return (prefix.empty() ? "" : prefix + "/") + "generated_images/.pictor-readyz-" + NewUuid();
}

}  // namespace

StoreProbe::StoreProbe(ObjectStore& store, std::string key_prefix,
                       std::chrono::milliseconds interval)
    : store_(store),
      // One key per probe, reused: servers sharing a store never delete each other's object,
      // and a probe that cannot delete leaves one object, not one per probe.
      key_(ProbeKey(WithoutTrailingSlashes(std::move(key_prefix)))),
      interval_(interval) {}

Status StoreProbe::Check() {
  auto fresh = [&](std::chrono::steady_clock::time_point now) {
    std::lock_guard<std::mutex> lock(result_mu_);
    return last_.has_value() && now - last_at_ < interval_ ? last_ : std::nullopt;
  };
  if (auto cached = fresh(std::chrono::steady_clock::now())) return *cached;

  std::unique_lock<std::mutex> probing(probe_mu_, std::try_to_lock);
  if (!probing.owns_lock()) {
    {
      std::lock_guard<std::mutex> lock(result_mu_);
      if (last_.has_value()) return *last_;  // someone is probing: the last answer will do
    }
    probing.lock();  // the very first answer: wait for it
  }
  // Another caller may have probed while this one waited.
  if (auto cached = fresh(std::chrono::steady_clock::now())) return *cached;
  Status result = Probe();
  std::lock_guard<std::mutex> lock(result_mu_);
  last_ = result;
  last_at_ = std::chrono::steady_clock::now();
  return result;
}

Status StoreProbe::Probe() {
  Status put = store_.Put(key_, "ready?", "text/plain");
  if (!put.ok()) {
    spdlog::warn("readiness: the store cannot be written: {}", put.ToString());
    return put;
  }
  // The write is what images need: a delete that fails (a role allowed to put but not to
  // delete) is logged, and leaves this process's one probe object behind, not one per probe.
  if (Status deleted = store_.Delete(key_); !deleted.ok()) {
    spdlog::warn("readiness: the store's probe object cannot be deleted: {}", deleted.ToString());
  }
  return Status::Ok();
}

}  // namespace pictor::http
