// Connection-level behaviour of HttpServer: many idle clients, slow blocking routes, timeouts,
// limits and shutdown.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "http/server.h"
#include "test_client.h"
#include "test_service.h"

namespace pictor::http {
namespace {

using testing::GetRequest;
using testing::TestConnection;
using testing::TestService;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::unique_ptr<HttpServer> StartOrDie(const ServerOptions& options, HttpService& service) {
  auto started = HttpServer::Start(options, service);
  EXPECT_TRUE(started.ok()) << started.status().ToString();
  return started.ok() ? std::move(started).value() : nullptr;
}

// The threads of this process, as the kernel counts them.
int ThreadCount() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return -1;
}

// The median time of `rounds` GET /fast on one kept connection.
Clock::duration MedianFastRoundTrip(uint16_t port, int rounds) {
  TestConnection client(port);
  std::vector<Clock::duration> times;
  for (int i = 0; i < rounds; ++i) {
    auto start = Clock::now();
    auto response = client.RoundTrip(GetRequest("/fast"));
    times.push_back(Clock::now() - start);
    EXPECT_TRUE(response && response->body == "fast") << i;
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

// 500 idle keep-alive connections and 1000 open event streams (each with a read pending and a
// keepalive timer on the event loop) neither delay a new client nor add a thread.
TEST(ServerLoadTest, IdleConnectionsAndOpenStreamsDoNotDelayNewClientNorAddThreads) {
  testing::RaiseOpenFileLimit();
  TestService service;
  ServerOptions options;
  options.max_connections_per_address = 2000;  // 1500 clients, all on 127.0.0.1 here
  auto server = StartOrDie(options, service);
  ASSERT_TRUE(server);
  const Clock::duration quiet_median = MedianFastRoundTrip(server->port(), 200);
  const int threads_before = ThreadCount();
  ASSERT_GT(threads_before, 0);

  std::vector<TestConnection> idle;
  idle.reserve(500);
  for (int i = 0; i < 500; ++i) {
    idle.emplace_back(server->port());
    ASSERT_TRUE(idle.back().connected()) << "connection " << i;
    ASSERT_TRUE(idle.back().RoundTrip(GetRequest("/fast"))) << "connection " << i;
  }
  std::vector<TestConnection> streams;
  streams.reserve(1000);
  for (int i = 0; i < 1000; ++i) {
    streams.emplace_back(server->port());
    ASSERT_TRUE(streams.back().connected()) << "stream " << i;
    ASSERT_TRUE(streams.back().Send(GetRequest("/stream"))) << "stream " << i;
  }
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(streams[i].ReadUntil("\r\n\r\n")) << "stream " << i;
  }
  ASSERT_TRUE(service.AwaitStreams(1000, 10s));

  auto start = Clock::now();
  TestConnection fresh(server->port());
  auto response = fresh.RoundTrip(GetRequest("/fast"));
  auto elapsed = Clock::now() - start;
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "fast");
  EXPECT_LT(elapsed, 1s);
  // As fast as before: the median within a few times the quiet one (timer noise on a shared
  // machine aside), not a multiple of the number of streams.
  const Clock::duration busy_median = MedianFastRoundTrip(server->port(), 200);
  EXPECT_LT(busy_median, quiet_median * 4 + 2ms)
      << "quiet " << std::chrono::duration<double, std::micro>(quiet_median).count() << " us, with "
      << "streams " << std::chrono::duration<double, std::micro>(busy_median).count() << " us";
  EXPECT_EQ(ThreadCount(), threads_before) << "open streams must not hold threads";

  // Every stream is live: an event written to each reaches its client.
  for (const auto& stream : service.streams()) ASSERT_TRUE(stream->Push("data: all\n\n"));
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(streams[i].ReadUntil("data: all\n\n", 5s)) << "stream " << i;
  }
  // And each one that goes away is stopped.
  streams.clear();
  auto deadline = Clock::now() + 10s;
  auto all_stopped = [&] {
    for (const auto& stream : service.streams()) {
      if (!stream->stopped()) return false;
    }
    return true;
  };
  while (!all_stopped() && Clock::now() < deadline) std::this_thread::sleep_for(20ms);
  EXPECT_TRUE(all_stopped());
}

TEST(ServerLoadTest, SlowBlockingRouteDoesNotDelayFastRoute) {
  TestService service;
  ServerOptions options;
  options.blocking_threads = 40;
  auto server = StartOrDie(options, service);
  ASSERT_TRUE(server);
  std::vector<TestConnection> slow;
  for (int i = 0; i < 40; ++i) {
    slow.emplace_back(server->port());
    ASSERT_TRUE(slow.back().Send(GetRequest("/slow")));
  }
  ASSERT_TRUE(service.AwaitSlowInProgress(40, 5s));

  auto start = Clock::now();
  TestConnection fast(server->port());
  auto response = fast.RoundTrip(GetRequest("/fast"));
  auto elapsed = Clock::now() - start;
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "fast");
  EXPECT_LT(elapsed, 200ms);

  for (auto& client : slow) {
    auto slow_response = client.Read();
    ASSERT_TRUE(slow_response);
    EXPECT_EQ(slow_response->body, "slow");
  }
}

TEST(ServerLoadTest, SlowRoutesBeyondBlockingPoolStillLeaveFastRouteFree) {
  TestService service;
  ServerOptions options;
  options.blocking_threads = 2;
  auto server = StartOrDie(options, service);
  ASSERT_TRUE(server);
  std::vector<TestConnection> slow;
  for (int i = 0; i < 6; ++i) {
    slow.emplace_back(server->port());
    ASSERT_TRUE(slow.back().Send(GetRequest("/slow")));
  }
  ASSERT_TRUE(service.AwaitSlowInProgress(2, 5s));
  TestConnection fast(server->port());
  auto start = Clock::now();
  auto response = fast.RoundTrip(GetRequest("/fast"));
  EXPECT_LT(Clock::now() - start, 200ms);
  ASSERT_TRUE(response);
  server->Stop(0ms);  // the queued slow requests are dropped, not waited for
}

TEST(ServerLoadTest, StopWithIdleConnectionsReturnsPromptly) {
  TestService service;
  auto server = StartOrDie({}, service);
  ASSERT_TRUE(server);
  std::vector<TestConnection> idle;
  for (int i = 0; i < 20; ++i) {
    idle.emplace_back(server->port());
    ASSERT_TRUE(idle.back().RoundTrip(GetRequest("/fast")));
  }
  auto start = Clock::now();
  server->Stop(5s);
  EXPECT_LT(Clock::now() - start, 1s);
  for (auto& client : idle) EXPECT_TRUE(client.WaitClosed(1s));
  server->Stop(5s);  // idempotent
}

TEST(ServerLoadTest, StopLetsRequestInProgressFinish) {
  TestService service;
  auto server = StartOrDie({}, service);
  ASSERT_TRUE(server);
  TestConnection client(server->port());
  ASSERT_TRUE(client.Send(GetRequest("/slow")));
  ASSERT_TRUE(service.AwaitSlowInProgress(1, 5s));
  server->Stop(5s);
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "slow");
  EXPECT_EQ(response->Header("Connection"), "close");
}

TEST(ServerLoadTest, StoppedServerRefusesNewConnections) {
  TestService service;
  auto server = StartOrDie({}, service);
  ASSERT_TRUE(server);
  uint16_t port = server->port();
  server->Stop();
  TestConnection client(port);
  EXPECT_FALSE(client.connected() && client.RoundTrip(GetRequest("/fast")).has_value());
}

TEST(ServerLoadTest, IdleTimeoutClosesConnection) {
  TestService service;
  ServerOptions options;
  options.idle_timeout = 1s;
  auto server = StartOrDie(options, service);
  ASSERT_TRUE(server);
  TestConnection client(server->port());
  ASSERT_TRUE(client.RoundTrip(GetRequest("/fast")));
  auto start = Clock::now();
  EXPECT_TRUE(client.WaitClosed(5s));
  EXPECT_GE(Clock::now() - start, 900ms);
}

TEST(ServerLoadTest, SlowRequestIsCutOffByRequestTimeout) {
  TestService service;
  ServerOptions options;
  options.request_timeout = 1s;
  auto server = StartOrDie(options, service);
  ASSERT_TRUE(server);
  TestConnection client(server->port());
  ASSERT_TRUE(client.Send("GET /fast HTTP/1.1\r\nHost: x\r\n"));  // header never finished
  EXPECT_TRUE(client.WaitClosed(5s));
  EXPECT_EQ(service.calls, 0);
}

TEST(ServerLoadTest, ConnectionsOverLimitAreClosedAndOthersServed) {
  TestService service;
  ServerOptions options;
  options.max_connections = 2;
  auto server = StartOrDie(options, service);
  ASSERT_TRUE(server);
  TestConnection first(server->port());
  TestConnection second(server->port());
  ASSERT_TRUE(first.RoundTrip(GetRequest("/fast")));
  ASSERT_TRUE(second.RoundTrip(GetRequest("/fast")));
  TestConnection third(server->port());
  EXPECT_TRUE(third.WaitClosed(3s));
  EXPECT_TRUE(first.RoundTrip(GetRequest("/fast")));
}

// One address holding many slow connections (a header never finished) cannot lock out another
// client: beyond the per-address limit (default 256) its connections are closed at once, while
// the global limit still has room for others.
TEST(ServerLoadTest, SlowConnectionsFromOneAddressDoNotLockOutAnother) {
  testing::RaiseOpenFileLimit();
  TestService service;
  ServerOptions options;
  options.max_connections = 300;
  options.request_timeout = 60s;  // the slow ones stay for the whole test
  auto server = StartOrDie(options, service);
  ASSERT_TRUE(server);
  std::vector<TestConnection> slow;
  for (int i = 0; i < 300; ++i) {
    slow.emplace_back(server->port(), "127.0.0.1");
    ASSERT_TRUE(slow.back().connected()) << i;
    ASSERT_TRUE(slow.back().Send("GET /fast HTTP/1.1\r\nHost: x\r\n")) << i;
  }
  // Accepted in order: the first 256 are held, the rest refused.
  EXPECT_TRUE(slow.back().WaitClosed(5s));
  TestConnection other(server->port(), "127.0.0.2");
  ASSERT_TRUE(other.connected());
  auto response = other.RoundTrip(GetRequest("/fast"));
  ASSERT_TRUE(response) << "a client from another address was locked out";
  EXPECT_EQ(response->body, "fast");
  // The first slow connection was admitted and is still served once it finishes its request.
  ASSERT_TRUE(slow.front().Send("\r\n"));
  auto late = slow.front().Read();
  ASSERT_TRUE(late);
  EXPECT_EQ(late->body, "fast");
}

TEST(ServerLoadTest, ConnectionsOverThePerAddressLimitAreClosedAndFreedSlotsReused) {
  TestService service;
  ServerOptions options;
  options.max_connections_per_address = 2;
  auto server = StartOrDie(options, service);
  ASSERT_TRUE(server);
  auto first = std::make_unique<TestConnection>(server->port(), "127.0.0.1");
  TestConnection second(server->port(), "127.0.0.1");
  ASSERT_TRUE(first->RoundTrip(GetRequest("/fast")));
  ASSERT_TRUE(second.RoundTrip(GetRequest("/fast")));
  TestConnection third(server->port(), "127.0.0.1");
  EXPECT_TRUE(third.WaitClosed(3s));
  TestConnection elsewhere(server->port(), "127.0.0.3");
  EXPECT_TRUE(elsewhere.RoundTrip(GetRequest("/fast")));
  first.reset();  // frees a slot of 127.0.0.1 once the server sees the close
  bool served = false;
  for (int attempt = 0; attempt < 250 && !served; ++attempt) {
    TestConnection again(server->port(), "127.0.0.1");
    served = static_cast<bool>(again.RoundTrip(GetRequest("/fast")));
    if (!served) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(served);
}

}  // namespace
}  // namespace pictor::http
