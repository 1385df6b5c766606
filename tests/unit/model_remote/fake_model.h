// Test helper: tests/peers/fake_model_server.py as a child process, with its control endpoints.
#ifndef PICTOR_TESTS_UNIT_MODEL_REMOTE_FAKE_MODEL_H_
#define PICTOR_TESTS_UNIT_MODEL_REMOTE_FAKE_MODEL_H_

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aws/credentials.h"
#include "net/http_client.h"
#include "net/retry.h"
#include "peers/peer_process.h"

namespace pictor::testing {

inline constexpr char kAccessKeyId[] = "AKIDFAKEMODEL";
inline constexpr char kSecretKey[] = "fake/Secret+Key/never-shown-0123456789";
inline constexpr char kOpenAiKey[] = "sk-fake-openai-key-never-shown";

class FakeModel {
 public:
  // Starts the fake; signatures are verified with kSecretKey.
  static std::unique_ptr<FakeModel> Start(const std::string& region = "us-east-1") {
    auto started =
        StartFakeModelServer({"--region", region, "--access-key-id", kAccessKeyId,
                              "--secret-access-key", kSecretKey, "--openai-key", kOpenAiKey});
    if (!started.ok()) {
      ADD_FAILURE() << started.status().ToString();
      return nullptr;
    }
    return std::unique_ptr<FakeModel>(new FakeModel(std::move(started).value()));
  }

  std::string base_url() const { return process_->base_url(); }

  // The next `times` model calls (all when negative) behave as `mode`; resets the call count.
  void Control(const std::string& mode, int times = -1, int delay_ms = 3000) {
    nlohmann::json order = {{"mode", mode}, {"times", times}, {"delay_ms", delay_ms}};
    Result<net::HttpReply> reply =
        http_->Perform({.method = "POST", .url = base_url() + "/_control", .body = order.dump()});
    ASSERT_TRUE(reply.ok()) << reply.status().ToString();
    ASSERT_EQ(reply->status, 200) << reply->body;
  }

  int Calls() { return Get("/_calls").value("calls", -1); }

  // The body of the last model call the fake accepted.
  nlohmann::json Last() { return Get("/_last"); }

 private:
  explicit FakeModel(std::unique_ptr<PeerProcess> process)
      : process_(std::move(process)), http_(net::NewHttpClient()) {}

  nlohmann::json Get(const std::string& path) {
    Result<net::HttpReply> reply = http_->Perform({.method = "GET", .url = base_url() + path});
    if (!reply.ok() || reply->status != 200) return nlohmann::json::object();
    return nlohmann::json::parse(reply->body, nullptr, false);
  }

  std::unique_ptr<PeerProcess> process_;
  std::unique_ptr<net::HttpClient> http_;
};

// Credentials the fake accepts.
inline std::unique_ptr<aws::CredentialsProvider> FakeCredentials() {
  return std::make_unique<aws::CredentialsProvider>([]() -> Result<aws::TimedCredentials> {
    return aws::TimedCredentials{{kAccessKeyId, kSecretKey, ""}, std::nullopt, "test"};
  });
}

// The default policy's attempts, without waiting between them.
inline net::RetryPolicy InstantRetries() {
  net::RetryPolicy policy;
  policy.sleep = [](std::chrono::milliseconds) {};
  return policy;
}

// Fails the test when `status` carries a secret.
inline void ExpectNoSecret(const Status& status) {
  const std::string text = status.ToString();
  for (const char* secret : {kSecretKey, kOpenAiKey}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << text;
  }
}

}  // namespace pictor::testing

#endif  // PICTOR_TESTS_UNIT_MODEL_REMOTE_FAKE_MODEL_H_
