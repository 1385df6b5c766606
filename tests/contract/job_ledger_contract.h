// The JobLedger contract: the cases every adapter of the port (and its fake) must pass, written
// once (job_ledger_contract.cc) and instantiated per adapter (job_ledger_adapters.cc).
#ifndef PICTOR_TESTS_CONTRACT_JOB_LEDGER_CONTRACT_H_
#define PICTOR_TESTS_CONTRACT_JOB_LEDGER_CONTRACT_H_

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "pictor/job_ledger.h"

namespace pictor::testing {

// One adapter under test, with whatever it keeps its records in.
class LedgerUnderTest {
 public:
  virtual ~LedgerUnderTest() = default;
  virtual JobLedger& ledger() = 0;
  // A second ledger object on the same records (another process would open one), or nullptr
  // when the adapter keeps its records in the object itself.
  virtual std::unique_ptr<JobLedger> OpenAnother() { return nullptr; }
};

struct LedgerAdapter {
  std::string name;  // a test-name suffix: letters and digits only
  std::function<Result<std::unique_ptr<LedgerUnderTest>>()> open;
};

inline void PrintTo(const LedgerAdapter& adapter, std::ostream* out) { *out << adapter.name; }

class JobLedgerContract : public ::testing::TestWithParam<LedgerAdapter> {
 protected:
  void SetUp() override;
  JobLedger& ledger() { return under_test_->ledger(); }

  std::unique_ptr<LedgerUnderTest> under_test_;
};

}  // namespace pictor::testing

#endif  // PICTOR_TESTS_CONTRACT_JOB_LEDGER_CONTRACT_H_
