// The SpendLedger contract: the cases every adapter of the port (and its fake) must pass,
// written once (spend_ledger_contract.cc) and instantiated per adapter
// (spend_ledger_adapters.cc).
#ifndef PICTOR_TESTS_CONTRACT_SPEND_LEDGER_CONTRACT_H_
#define PICTOR_TESTS_CONTRACT_SPEND_LEDGER_CONTRACT_H_

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "contract/port_under_test.h"
#include "pictor/spend_ledger.h"

namespace pictor::testing {

// One adapter under test, with whatever it keeps its charges in (port_under_test.h).
using SpendLedgerUnderTest = PortUnderTest<SpendLedger>;

struct SpendLedgerAdapter {
  std::string name;  // a test-name suffix: letters and digits only
  std::function<Result<std::unique_ptr<SpendLedgerUnderTest>>()> open;
  // True when concurrent chargers can never overshoot a budget (the check and the charge are
  // one transaction); false: the overshoot is bounded by one image per concurrent charger.
  bool exact = true;
};

inline void PrintTo(const SpendLedgerAdapter& adapter, std::ostream* out) { *out << adapter.name; }

class SpendLedgerContract : public ::testing::TestWithParam<SpendLedgerAdapter> {
 protected:
  void SetUp() override;
  SpendLedger& ledger() { return under_test_->port(); }

  std::unique_ptr<SpendLedgerUnderTest> under_test_;
};

}  // namespace pictor::testing

#endif  // PICTOR_TESTS_CONTRACT_SPEND_LEDGER_CONTRACT_H_
