// A fixture for SQS tests against a real peer: fauxqs on a free loopback port, the AWS
// environment pointed at it, and helpers that create queues and make raw JSON-protocol calls
// (unsigned: fauxqs does not check signatures).
#ifndef PICTOR_TESTS_UNIT_QUEUE_SQS_FAUXQS_FIXTURE_H_
#define PICTOR_TESTS_UNIT_QUEUE_SQS_FAUXQS_FIXTURE_H_

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "net/http_client.h"
#include "peers/peer_process.h"
#include "queue/sqs/sqs_queue.h"
#include "unit/queue_sqs/sqs_test_env.h"

namespace pictor::sqs::testing {

class FauxqsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto peer = pictor::testing::StartFauxqs();
    ASSERT_TRUE(peer.ok()) << peer.status().ToString();
    peer_ = std::move(peer).value();
    env_ = std::make_unique<ScopedSqsEnv>(peer_->base_url().c_str());
  }
  void TearDown() override {
    env_.reset();
    peer_.reset();
  }

  // One JSON-protocol call; the reply object (an error reply fails the test).
  nlohmann::json Call(const std::string& action, const nlohmann::json& request) {
    net::HttpCall call;
    call.method = "POST";
    call.url = peer_->base_url() + "/";
    call.headers = {{"Content-Type", "application/x-amz-json-1.0"},
                    {"X-Amz-Target", "AmazonSQS." + action}};
    call.body = request.dump();
    auto reply = http_->Perform(call);
    EXPECT_TRUE(reply.ok()) << reply.status().ToString();
    if (!reply.ok()) return {};
    EXPECT_EQ(reply->status, 200) << action << ": " << reply->body;
    return nlohmann::json::parse(reply->body, nullptr, false);
  }

  // Creates a queue with a name unique to this process and returns its URL.
  std::string CreateQueue(const std::string& stem,
                          const nlohmann::json& attributes = nlohmann::json::object()) {
    static std::atomic<int> counter{0};
    std::string name = stem + "-" + std::to_string(counter++);
    nlohmann::json reply = Call("CreateQueue", {{"QueueName", name}, {"Attributes", attributes}});
    return reply.value("QueueUrl", "");
  }

  std::unique_ptr<JobQueue> Open(const std::string& url, const std::string& dead_letter = "") {
    SqsQueueOptions options{.queue_url = url, .dead_letter_queue_url = dead_letter};
    auto queue = OpenSqsQueue(options);
    EXPECT_TRUE(queue.ok()) << queue.status().ToString();
    return queue.ok() ? std::move(queue).value() : nullptr;
  }

  std::unique_ptr<pictor::testing::PeerProcess> peer_;
  std::unique_ptr<ScopedSqsEnv> env_;
  std::unique_ptr<net::HttpClient> http_ = net::NewHttpClient();
};

}  // namespace pictor::sqs::testing

#endif  // PICTOR_TESTS_UNIT_QUEUE_SQS_FAUXQS_FIXTURE_H_
