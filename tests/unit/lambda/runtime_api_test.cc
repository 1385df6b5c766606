// The Runtime API client against a scripted loopback peer: how often it tries a call that fails,
// and that the pauses between tries are jittered and grow exponentially. The sleep and the
// random source are injected, so nothing here depends on timing.
#include "lambda/runtime_api.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "net/http_client.h"
#include "net/retry.h"
#include "unit/net/test_http_server.h"

namespace pictor::lambda {
namespace {

using net::testing::RecordedRequest;
using net::testing::ScriptedReply;
using net::testing::TestHttpServer;
using std::chrono::milliseconds;

// Answers `failures` times with `failure`, then hands out one event.
TestHttpServer::Handler FailThenServe(int failures, ScriptedReply failure) {
  auto seen = std::make_shared<std::atomic<int>>(0);
  return [failures, failure, seen](const RecordedRequest& request) {
    if (seen->fetch_add(1) < failures) return failure;
    if (request.method == "POST") return ScriptedReply{202, {}, R"({"status":"OK"})"};
    return ScriptedReply{200,
                         {{"Lambda-Runtime-Aws-Request-Id", "req-1"},
                          {"Lambda-Runtime-Deadline-Ms", "1700000000000"}},
                         R"({"hello":"world"})"};
  };
}

// The client's default policy, with the pauses recorded instead of slept and the jitter drawn
// from a fixed sequence.
struct Recorder {
  std::vector<milliseconds> delays;
  std::vector<double> draws{0.5, 0.75, 0.875};  // exact in binary: no rounding
  size_t next_draw = 0;

  net::RetryPolicy Policy(int max_attempts) {
    net::RetryPolicy policy = RuntimeApi::DefaultRetryPolicy();
    policy.max_attempts = max_attempts;
    policy.sleep = [this](milliseconds d) { delays.push_back(d); };
    policy.random01 = [this] { return draws[next_draw++ % draws.size()]; };
    return policy;
  }
};

// Counts the calls that reach the real client.
class CountingClient final : public net::HttpClient {
 public:
  explicit CountingClient(net::HttpClient& inner) : inner_(inner) {}
  Result<net::HttpReply> Perform(const net::HttpCall& call) override {
    ++calls;
    return inner_.Perform(call);
  }
  int calls = 0;

 private:
  net::HttpClient& inner_;
};

std::string Endpoint(const TestHttpServer& server) {
  return "127.0.0.1:" + std::to_string(server.port());
}

TEST(RuntimeApiTest, NextTriesAgainAfterServerErrorsWithJitteredExponentialPauses) {
  TestHttpServer server(FailThenServe(3, ScriptedReply{503, {}, "busy"}));
  auto client = net::NewHttpClient();
  Recorder recorder;
  RuntimeApi api(Endpoint(server), *client, recorder.Policy(4));

  Result<Invocation> next = api.Next();
  ASSERT_TRUE(next.ok()) << next.status().message();
  EXPECT_EQ(next->request_id, "req-1");
  EXPECT_EQ(next->event, R"({"hello":"world"})");
  EXPECT_EQ(server.requests().size(), 4u);
  // Full jitter under a ceiling that doubles from 50 ms: 0.5 * 50, 0.75 * 100, 0.875 * 200. A
  // linear or an unjittered pause gives other values.
  EXPECT_EQ(recorder.delays,
            (std::vector<milliseconds>{milliseconds(25), milliseconds(75), milliseconds(175)}));
}

TEST(RuntimeApiTest, RefusedConnectionsAreTriedUpToTheBoundThenReported) {
  auto real = net::NewHttpClient();
  CountingClient client(*real);
  Recorder recorder;
  // Port 1 on loopback: nothing listens there, every connection is refused.
  RuntimeApi api("127.0.0.1:1", client, recorder.Policy(3));

  Result<Invocation> next = api.Next();
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(client.calls, 3);
  ASSERT_EQ(recorder.delays.size(), 2u);
  EXPECT_NE(recorder.delays[0], recorder.delays[1]);
}

TEST(RuntimeApiTest, PostingAResultTriesAgainAfterAServerError) {
  TestHttpServer server(FailThenServe(1, ScriptedReply{500, {}, "oops"}));
  auto client = net::NewHttpClient();
  Recorder recorder;
  RuntimeApi api(Endpoint(server), *client, recorder.Policy(3));

  Status posted = api.PostResponse("req-1", R"({"ok":true})");
  EXPECT_TRUE(posted.ok()) << posted.message();
  ASSERT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(server.requests()[1].target, "/2018-06-01/runtime/invocation/req-1/response");
  EXPECT_EQ(server.requests()[1].body, R"({"ok":true})");
  EXPECT_EQ(recorder.delays.size(), 1u);
}

TEST(RuntimeApiTest, AClientErrorIsNotTriedAgain) {
  TestHttpServer server(FailThenServe(1, ScriptedReply{400, {}, "bad"}));
  auto client = net::NewHttpClient();
  Recorder recorder;
  RuntimeApi api(Endpoint(server), *client, recorder.Policy(3));

  Status posted = api.PostError("req-1", "Pictor.Internal", "broken");
  EXPECT_EQ(posted.code(), StatusCode::kInternal);
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_TRUE(recorder.delays.empty());
}

TEST(RuntimeApiTest, TheDefaultPolicyIsBoundedAndJittered) {
  net::RetryPolicy policy = RuntimeApi::DefaultRetryPolicy();
  EXPECT_EQ(policy.max_attempts, 3);
  // The top of each jitter range doubles: exponential, not linear.
  policy.random01 = [] { return 1.0; };
  EXPECT_EQ(policy.DelayAfter(1, net::RetryKind::kTransient), milliseconds(50));
  EXPECT_EQ(policy.DelayAfter(2, net::RetryKind::kTransient), milliseconds(100));
  EXPECT_EQ(policy.DelayAfter(3, net::RetryKind::kTransient), milliseconds(200));
  EXPECT_EQ(policy.DelayAfter(20, net::RetryKind::kTransient), milliseconds(1000));
}

}  // namespace
}  // namespace pictor::lambda
