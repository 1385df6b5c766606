// JobLedgerWrapper: a JobLedger that forwards every call to another (LevelDB's EnvWrapper), the
// base of decorators that record, delay or fail some calls: such a decorator overrides only what
// it changes, and a method added to JobLedger is forwarded here once instead of silently missing
// from every decorator. Thread-safety: as the wrapped ledger's.
#ifndef PICTOR_JOB_LEDGER_WRAPPER_H_
#define PICTOR_JOB_LEDGER_WRAPPER_H_

#include <string_view>
#include <type_traits>

#include "pictor/job_ledger.h"

namespace pictor {

class JobLedgerWrapper : public JobLedger {
 public:
  // Borrows `target`, which must outlive the wrapper.
  explicit JobLedgerWrapper(JobLedger& target) : target_(target) {}

  JobLedger& target() const { return target_; }

  Result<CreateResult> Create(const JobRecord& record) override { return target_.Create(record); }
  Result<JobRecord> Get(std::string_view id) override { return target_.Get(id); }
  Status Put(const JobRecord& record) override { return target_.Put(record); }
  Status Remove(std::string_view id) override { return target_.Remove(id); }
  Result<JobRecord> RequestCancel(std::string_view id) override {
    return target_.RequestCancel(id);
  }
  Status SetWebhookDelivery(std::string_view id, const WebhookDelivery& delivery) override {
    return target_.SetWebhookDelivery(id, delivery);
  }
  Status MarkEnqueued(const JobRecord& record) override { return target_.MarkEnqueued(record); }
  Result<JobPage> List(const JobQuery& query) override { return target_.List(query); }

 private:
  JobLedger& target_;
};

// Fails to compile when JobLedger gains a pure virtual method not forwarded above.
static_assert(!std::is_abstract_v<JobLedgerWrapper>);

}  // namespace pictor

#endif  // PICTOR_JOB_LEDGER_WRAPPER_H_
