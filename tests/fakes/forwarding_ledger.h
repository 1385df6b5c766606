// A JobLedger that forwards every call to another, so a test can override only what it changes:
// record the states written, lose a mark, fail a removal as a crashed process would.
#ifndef PICTOR_TESTS_FAKES_FORWARDING_LEDGER_H_
#define PICTOR_TESTS_FAKES_FORWARDING_LEDGER_H_

#include <string_view>

#include "pictor/job_ledger.h"

namespace pictor::testing {

class ForwardingLedger : public JobLedger {
 public:
  explicit ForwardingLedger(JobLedger& base) : base_(base) {}
  Result<CreateResult> Create(const JobRecord& record) override { return base_.Create(record); }
  Result<JobRecord> Get(std::string_view id) override { return base_.Get(id); }
  Status Put(const JobRecord& record) override { return base_.Put(record); }
  Status Remove(std::string_view id) override { return base_.Remove(id); }
  Status MarkEnqueued(const JobRecord& record) override { return base_.MarkEnqueued(record); }

 protected:
  JobLedger& base_;
};

}  // namespace pictor::testing

#endif  // PICTOR_TESTS_FAKES_FORWARDING_LEDGER_H_
