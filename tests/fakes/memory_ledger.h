// MemoryLedger: an in-memory JobLedger with the port's promises (an idempotency key maps to the
// first job created with it, exactly one of several racing creators wins; Put inserts or
// replaces; MarkEnqueued changes nothing but the mark), for tests of what sits above the port.
// List pages with the cursors every ledger uses (core/job_cursor.h). Can be told to fail its next
// writes. Thread-safety: thread-safe.
#ifndef PICTOR_TESTS_FAKES_MEMORY_LEDGER_H_
#define PICTOR_TESTS_FAKES_MEMORY_LEDGER_H_

#include <algorithm>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/job_cursor.h"
#include "pictor/job_ledger.h"

namespace pictor::testing {

class MemoryLedger final : public JobLedger {
 public:
  Result<CreateResult> Create(const JobRecord& record) override {
    std::lock_guard lock(mu_);
    if (Status s = TakeFailure(); !s.ok()) return s;
    if (!record.idempotency_key.empty()) {
      auto claim = keys_.find(record.idempotency_key);
      if (claim != keys_.end()) {
        auto first = records_.find(claim->second);
        if (first != records_.end()) return CreateResult{first->second, false};
      }
      keys_[record.idempotency_key] = record.id;
    }
    records_[record.id] = record;
    return CreateResult{record, true};
  }

  Result<JobRecord> Get(std::string_view id) override {
    std::lock_guard lock(mu_);
    auto it = records_.find(std::string(id));
    if (it == records_.end()) return Status::NotFound("no job " + std::string(id));
    return ApplyCancellation(it->second);
  }

  Status Put(const JobRecord& record) override {
    std::lock_guard lock(mu_);
    if (Status s = TakeFailure(); !s.ok()) return s;
    JobRecord& stored = records_[record.id];
    const bool enqueued = stored.enqueued;
    const bool cancel_requested = stored.cancel_requested;
    stored = record;
    stored.enqueued = record.enqueued || enqueued;
    stored.cancel_requested = record.cancel_requested || cancel_requested;
    return Status::Ok();
  }

  Result<JobRecord> RequestCancel(std::string_view id) override {
    std::lock_guard lock(mu_);
    if (Status s = TakeFailure(); !s.ok()) return s;
    auto it = records_.find(std::string(id));
    if (it == records_.end()) return Status::NotFound("no job " + std::string(id));
    it->second.cancel_requested = true;
    return ApplyCancellation(it->second);
  }

  Status SetWebhookDelivery(std::string_view id, const WebhookDelivery& delivery) override {
    std::function<void(const WebhookDelivery&)> hook;
    {
      std::lock_guard lock(mu_);
      hook = before_webhook_write_;
    }
    if (hook) hook(delivery);
    std::lock_guard lock(mu_);
    if (Status s = TakeFailure(); !s.ok()) return s;
    auto it = records_.find(std::string(id));
    if (it == records_.end()) return Status::NotFound("no job " + std::string(id));
    it->second.webhook = delivery;
    return Status::Ok();
  }

  Status Remove(std::string_view id) override {
    std::lock_guard lock(mu_);
    if (Status s = TakeFailure(); !s.ok()) return s;
    auto it = records_.find(std::string(id));
    if (it == records_.end()) return Status::Ok();
    auto claim = keys_.find(it->second.idempotency_key);
    if (claim != keys_.end() && claim->second == it->first) keys_.erase(claim);
    records_.erase(it);
    return Status::Ok();
  }

  Status MarkEnqueued(const JobRecord& record) override {
    std::lock_guard lock(mu_);
    if (Status s = TakeFailure(); !s.ok()) return s;
    auto it = records_.find(record.id);
    if (it != records_.end()) it->second.enqueued = true;
    return Status::Ok();
  }

  Result<JobPage> List(const JobQuery& query) override {
    auto cursor = CheckJobQuery(query);
    if (!cursor.ok()) return cursor.status();
    std::lock_guard lock(mu_);
    std::vector<JobRecord> matching;
    for (const auto& [id, stored] : records_) {
      JobRecord record = ApplyCancellation(stored);
      if (!query.owner.empty() && record.owner != query.owner) continue;
      if (query.state && record.state != *query.state) continue;
      if (*cursor && !IsAfterCursor(**cursor, record.created_ms, record.id)) continue;
      matching.push_back(std::move(record));
    }
    std::sort(matching.begin(), matching.end(), ListedBefore);
    JobPage page;
    for (JobRecord& record : matching) {
      if (page.jobs.size() == static_cast<size_t>(query.limit)) {
        page.next_cursor = EncodeJobCursor(page.jobs.back().created_ms, page.jobs.back().id);
        break;
      }
      page.jobs.push_back(std::move(record));
    }
    return page;
  }

  // The next n writes (Create, Put, Remove, MarkEnqueued, RequestCancel, SetWebhookDelivery) fail
  // with `code`.
  void FailNextWrites(int n, StatusCode code = StatusCode::kUnavailable) {
    std::lock_guard lock(mu_);
    fail_writes_ = n;
    fail_code_ = code;
  }
  // Runs `hook` (outside the lock) at the start of every SetWebhookDelivery: a test can hold a
  // write back to see what its caller does meanwhile.
  void BeforeWebhookWrite(std::function<void(const WebhookDelivery&)> hook) {
    std::lock_guard lock(mu_);
    before_webhook_write_ = std::move(hook);
  }
  size_t size() {
    std::lock_guard lock(mu_);
    return records_.size();
  }

 private:
  Status TakeFailure() {
    if (fail_writes_ == 0) return Status::Ok();
    --fail_writes_;
    return Status(fail_code_, "memory ledger told to fail");
  }

  std::mutex mu_;                             // guards everything below
  std::map<std::string, JobRecord> records_;  // by job id
  std::map<std::string, std::string> keys_;   // idempotency key -> job id
  int fail_writes_ = 0;
  std::function<void(const WebhookDelivery&)> before_webhook_write_;
  StatusCode fail_code_ = StatusCode::kUnavailable;
};

}  // namespace pictor::testing

#endif  // PICTOR_TESTS_FAKES_MEMORY_LEDGER_H_
