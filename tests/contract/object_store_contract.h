// The ObjectStore contract: the cases every adapter of the port (and its fake) must pass,
// written once (object_store_contract.cc) and instantiated per adapter
// (object_store_adapters.cc).
#ifndef PICTOR_TESTS_CONTRACT_OBJECT_STORE_CONTRACT_H_
#define PICTOR_TESTS_CONTRACT_OBJECT_STORE_CONTRACT_H_

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "pictor/object_store.h"

namespace pictor::testing {

// One adapter under test, with whatever it keeps its objects in (a directory, a bucket).
class StoreUnderTest {
 public:
  virtual ~StoreUnderTest() = default;
  virtual ObjectStore& store() = 0;
  // A second store object on the same objects (another process would open one).
  virtual std::unique_ptr<ObjectStore> OpenAnother() = 0;
};

struct StoreAdapter {
  std::string name;  // a test-name suffix: letters and digits only
  std::function<Result<std::unique_ptr<StoreUnderTest>>()> open;
};

inline void PrintTo(const StoreAdapter& adapter, std::ostream* out) { *out << adapter.name; }

class ObjectStoreContract : public ::testing::TestWithParam<StoreAdapter> {
 protected:
  void SetUp() override;
  ObjectStore& store() { return under_test_->store(); }

  std::unique_ptr<StoreUnderTest> under_test_;
};

}  // namespace pictor::testing

#endif  // PICTOR_TESTS_CONTRACT_OBJECT_STORE_CONTRACT_H_
