// The WebhookOutbox contract: the cases every adapter of the port (and its fake) must pass,
// written once (webhook_outbox_contract.cc) and instantiated per adapter
// (webhook_outbox_adapters.cc).
#ifndef PICTOR_TESTS_CONTRACT_WEBHOOK_OUTBOX_CONTRACT_H_
#define PICTOR_TESTS_CONTRACT_WEBHOOK_OUTBOX_CONTRACT_H_

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "contract/port_under_test.h"
#include "pictor/webhook_outbox.h"

namespace pictor::testing {

// One adapter under test, with whatever it keeps its messages in (port_under_test.h).
using WebhookOutboxUnderTest = PortUnderTest<WebhookOutbox>;

struct WebhookOutboxAdapter {
  std::string name;  // a test-name suffix: letters and digits only
  std::function<Result<std::unique_ptr<WebhookOutboxUnderTest>>()> open;
};

inline void PrintTo(const WebhookOutboxAdapter& adapter, std::ostream* out) {
  *out << adapter.name;
}

class WebhookOutboxContract : public ::testing::TestWithParam<WebhookOutboxAdapter> {
 protected:
  void SetUp() override;
  WebhookOutbox& outbox() { return under_test_->port(); }

  std::unique_ptr<WebhookOutboxUnderTest> under_test_;
};

}  // namespace pictor::testing

#endif  // PICTOR_TESTS_CONTRACT_WEBHOOK_OUTBOX_CONTRACT_H_
