// Test helper: a clean AWS environment (every variable the AWS layer reads unset, HOME a fresh
// temporary directory) restored on destruction. Tests using it must not run concurrently with
// other threads reading the environment.
#ifndef PICTOR_TESTS_UNIT_AWS_CLIENT_SCOPED_ENV_H_
#define PICTOR_TESTS_UNIT_AWS_CLIENT_SCOPED_ENV_H_

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pictor::aws::testing {

class ScopedAwsEnv {
 public:
  ScopedAwsEnv() {
    for (const char* name : kNames) {
      const char* value = std::getenv(name);
      saved_.emplace_back(name, value ? std::optional<std::string>(value) : std::nullopt);
      ::unsetenv(name);
    }
    char pattern[] = "/tmp/pictor-aws-home-XXXXXX";
    home_ = ::mkdtemp(pattern);
    Set("HOME", home_.string());
    Set("AWS_EC2_METADATA_DISABLED", "true");  // never reach for a real metadata service
  }
  ~ScopedAwsEnv() {
    for (const auto& [name, value] : saved_) {
      if (value) {
        ::setenv(name.c_str(), value->c_str(), 1);
      } else {
        ::unsetenv(name.c_str());
      }
    }
    std::error_code ignored;
    std::filesystem::remove_all(home_, ignored);
  }
  ScopedAwsEnv(const ScopedAwsEnv&) = delete;
  ScopedAwsEnv& operator=(const ScopedAwsEnv&) = delete;

  void Set(const char* name, const std::string& value) { ::setenv(name, value.c_str(), 1); }
  void Unset(const char* name) { ::unsetenv(name); }
  const std::filesystem::path& home() const { return home_; }

  // Writes `text` to `relative` under HOME (directories created) and returns the full path.
  std::string WriteFile(const std::string& relative, const std::string& text) {
    std::filesystem::path path = home_ / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << text;
    return path.string();
  }

 private:
  static constexpr const char* kNames[] = {
      "HOME",
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN",
      "AWS_PROFILE",
      "AWS_SHARED_CREDENTIALS_FILE",
      "AWS_CONFIG_FILE",
      "AWS_REGION",
      "AWS_DEFAULT_REGION",
      "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
      "AWS_CONTAINER_CREDENTIALS_FULL_URI",
      "AWS_CONTAINER_AUTHORIZATION_TOKEN",
      "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
      "AWS_EC2_METADATA_DISABLED",
      "AWS_EC2_METADATA_SERVICE_ENDPOINT",
      "AWS_ENDPOINT_URL",
      "AWS_ENDPOINT_URL_S3",
      "AWS_ENDPOINT_URL_SQS",
      "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
      "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
      "AWS_ENDPOINT_URL_STS",
      "AWS_WEB_IDENTITY_TOKEN_FILE",
      "AWS_ROLE_ARN",
      "AWS_ROLE_SESSION_NAME",
      "AWS_RETRY_MODE",
  };
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
  std::filesystem::path home_;
};

}  // namespace pictor::aws::testing

#endif  // PICTOR_TESTS_UNIT_AWS_CLIENT_SCOPED_ENV_H_
