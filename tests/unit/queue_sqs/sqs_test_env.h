// Test helpers: environment variables set for a test's length, and the AWS settings every SQS
// test uses (static test keys, us-east-1, no instance metadata, no shared files).
#ifndef PICTOR_TESTS_UNIT_QUEUE_SQS_SQS_TEST_ENV_H_
#define PICTOR_TESTS_UNIT_QUEUE_SQS_SQS_TEST_ENV_H_

#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pictor::sqs::testing {

// Sets (or, for nullptr, unsets) one variable; restores it on destruction.
class ScopedVar {
 public:
  ScopedVar(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) saved_ = old;
    value ? ::setenv(name, value, 1) : ::unsetenv(name);
  }
  ~ScopedVar() { saved_ ? ::setenv(name_.c_str(), saved_->c_str(), 1) : ::unsetenv(name_.c_str()); }
  ScopedVar(const ScopedVar&) = delete;
  ScopedVar& operator=(const ScopedVar&) = delete;

 private:
  std::string name_;
  std::optional<std::string> saved_;
};

// The AWS environment of an SQS test; `endpoint` (if any) becomes AWS_ENDPOINT_URL.
class ScopedSqsEnv {
 public:
  explicit ScopedSqsEnv(const char* endpoint = nullptr) {
    const std::pair<const char*, const char*> values[] = {
        {"AWS_ACCESS_KEY_ID", "test"},
        {"AWS_SECRET_ACCESS_KEY", "test"},
        {"AWS_SESSION_TOKEN", nullptr},
        {"AWS_PROFILE", nullptr},
        {"AWS_REGION", "us-east-1"},
        {"AWS_DEFAULT_REGION", "us-east-1"},
        {"AWS_EC2_METADATA_DISABLED", "true"},
        {"AWS_CONFIG_FILE", "/nonexistent/aws-config"},
        {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials"},
        {"AWS_ENDPOINT_URL_SQS", nullptr},
        {"AWS_ENDPOINT_URL", endpoint},
        {"AWS_PAGER", ""},
    };
    for (const auto& [name, value] : values) {
      vars_.push_back(std::make_unique<ScopedVar>(name, value));
    }
  }
  ScopedSqsEnv(const ScopedSqsEnv&) = delete;
  ScopedSqsEnv& operator=(const ScopedSqsEnv&) = delete;

 private:
  std::vector<std::unique_ptr<ScopedVar>> vars_;  // distinct names: any order restores
};

}  // namespace pictor::sqs::testing

#endif  // PICTOR_TESTS_UNIT_QUEUE_SQS_SQS_TEST_ENV_H_
