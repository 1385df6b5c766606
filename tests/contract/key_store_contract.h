// The KeyStore contract: the cases every adapter of the port must pass, written once
// (key_store_contract.cc) and instantiated per adapter (key_store_adapters.cc).
#ifndef PICTOR_TESTS_CONTRACT_KEY_STORE_CONTRACT_H_
#define PICTOR_TESTS_CONTRACT_KEY_STORE_CONTRACT_H_

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "pictor/api_keys.h"

namespace pictor::testing {

// One adapter under test, with whatever it keeps its records in.
class KeyStoreUnderTest {
 public:
  virtual ~KeyStoreUnderTest() = default;
  virtual KeyStore& keys() = 0;
  // A second key store object on the same records, as another process would open one (its own
  // connection or HTTP client).
  virtual std::unique_ptr<KeyStore> OpenAnother() = 0;
};

struct KeyStoreAdapter {
  std::string name;  // a test-name suffix: letters and digits only
  std::function<Result<std::unique_ptr<KeyStoreUnderTest>>()> open;
};

inline void PrintTo(const KeyStoreAdapter& adapter, std::ostream* out) { *out << adapter.name; }

class KeyStoreContract : public ::testing::TestWithParam<KeyStoreAdapter> {
 protected:
  void SetUp() override;
  KeyStore& keys() { return under_test_->keys(); }

  std::unique_ptr<KeyStoreUnderTest> under_test_;
};

}  // namespace pictor::testing

#endif  // PICTOR_TESTS_CONTRACT_KEY_STORE_CONTRACT_H_
