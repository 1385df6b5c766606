// The Notifier contract: what every notifier (and the fake) promises whatever its protocol: an
// event a reachable destination accepts is delivered once; an unreachable destination is a
// failure worth retrying, reported within the notifier's own timeout; neither Describe nor an
// error carries a secret. Cases in notifier_contract.cc, one instantiation per adapter in
// notifier_adapters.cc. The wire shape of each protocol stays in the adapter's own tests.
#ifndef PICTOR_TESTS_CONTRACT_NOTIFIER_CONTRACT_H_
#define PICTOR_TESTS_CONTRACT_NOTIFIER_CONTRACT_H_

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "pictor/notifier.h"

namespace pictor::testing {

// One notifier under test and the destination it delivers to.
class NotifierUnderTest {
 public:
  virtual ~NotifierUnderTest() = default;
  // A notifier aimed at the running destination.
  virtual Notifier& notifier() = 0;
  // A notifier of the same kind aimed at a loopback port nobody listens on.
  virtual std::unique_ptr<Notifier> Unreachable() = 0;
  // How many events the destination has received; -1 when the test cannot see it (SNS keeps
  // what it accepted).
  virtual int Delivered() = 0;
  // A secret the notifier holds (a signing key), which must never show; "" when it holds none.
  virtual std::string Secret() const { return ""; }
};

struct NotifierAdapter {
  std::string name;  // a test-name suffix: letters and digits only
  std::function<Result<std::unique_ptr<NotifierUnderTest>>()> open;
};

inline void PrintTo(const NotifierAdapter& adapter, std::ostream* out) { *out << adapter.name; }

class NotifierContract : public ::testing::TestWithParam<NotifierAdapter> {
 protected:
  void SetUp() override;

  std::unique_ptr<NotifierUnderTest> under_test_;
};

// A loopback port that was free a moment ago (bound, then closed).
int ClosedLoopbackPort();

}  // namespace pictor::testing

#endif  // PICTOR_TESTS_CONTRACT_NOTIFIER_CONTRACT_H_
