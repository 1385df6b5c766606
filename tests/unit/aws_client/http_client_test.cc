// The libcurl HttpClient against a scripted local server: replies, reuse, timeouts, refusals.
#include "aws/http_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "test_http_server.h"

namespace pictor::aws {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using testing::RecordedRequest;
using testing::ScriptedReply;
using testing::TestHttpServer;

ScriptedReply Ok(std::string body) { return {200, {{"X-Amzn-RequestId", "rid-1"}}, body}; }

// A socket bound to a loopback port that does not listen: connecting to it is refused.
struct RefusingPort {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int port = 0;
  RefusingPort() {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
  }
  ~RefusingPort() { ::close(fd); }
};

// A listener whose accept queue is full and never drained: the kernel drops further SYNs, so a
// new connection attempt stays pending until the client gives up.
struct FullBacklog {
  int listen_fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int port = 0;
  std::vector<int> fillers;
  FullBacklog() {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listen_fd, 0);
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
    for (int i = 0; i < 4; ++i) {
      int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      (void)::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
      fillers.push_back(fd);
    }
  }
  ~FullBacklog() {
    for (int fd : fillers) ::close(fd);
    ::close(listen_fd);
  }
};

TEST(HttpClientTest, ReturnsStatusHeadersAndBody) {
  TestHttpServer server([](const RecordedRequest&) { return Ok("hello"); });
  auto client = NewCurlHttpClient();
  Result<HttpReply> reply = client->Perform({.method = "GET", .url = server.url() + "/x"});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "hello");
  EXPECT_EQ(reply->Header("x-amzn-requestid"), "rid-1");
  EXPECT_EQ(reply->FindHeader("absent"), nullptr);
}

TEST(HttpClientTest, SendsMethodHeadersAndBodyUnchanged) {
  TestHttpServer server([](const RecordedRequest&) { return Ok(""); });
  auto client = NewCurlHttpClient();
  HttpCall call{.method = "PUT",
                .url = server.url() + "/bucket/key?x=1",
                .headers = {{"X-Amz-Date", "20240101T000000Z"}, {"X-Empty", ""}},
                .body = "payload"};
  ASSERT_TRUE(client->Perform(call).ok());
  ASSERT_EQ(server.requests().size(), 1u);
  RecordedRequest seen = server.requests()[0];
  EXPECT_EQ(seen.method, "PUT");
  EXPECT_EQ(seen.target, "/bucket/key?x=1");
  EXPECT_EQ(seen.body, "payload");
  EXPECT_EQ(seen.Header("X-Amz-Date"), "20240101T000000Z");
  EXPECT_EQ(seen.Header("Content-Type"), "");  // not libcurl's form default
  EXPECT_EQ(seen.Header("Expect"), "");
}

TEST(HttpClientTest, AnyHttpStatusIsAReply) {
  TestHttpServer server([](const RecordedRequest&) { return ScriptedReply{503, {}, "busy"}; });
  auto client = NewCurlHttpClient();
  Result<HttpReply> reply = client->Perform({.url = server.url() + "/"});
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->status, 503);
}

TEST(HttpClientTest, HeadReplyHasNoBody) {
  TestHttpServer server([](const RecordedRequest&) { return ScriptedReply{404, {}, "ignored"}; });
  auto client = NewCurlHttpClient();
  Result<HttpReply> reply = client->Perform({.method = "HEAD", .url = server.url() + "/k"});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 404);
  EXPECT_EQ(reply->body, "");
  EXPECT_EQ(server.requests().at(0).method, "HEAD");
}

TEST(HttpClientTest, ReusesTheConnectionForSequentialCalls) {
  TestHttpServer server([](const RecordedRequest&) { return Ok("x"); });
  auto client = NewCurlHttpClient();
  ASSERT_TRUE(client->Perform({.url = server.url() + "/1"}).ok());
  ASSERT_TRUE(client->Perform({.url = server.url() + "/2"}).ok());
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(server.accepted_connections(), 1);
}

TEST(HttpClientTest, ReusesConnectionsAcrossThreads) {
  TestHttpServer server([](const RecordedRequest&) { return Ok("x"); });
  auto client = NewCurlHttpClient();
  ASSERT_TRUE(client->Perform({.url = server.url() + "/warm"}).ok());
  std::thread other([&] { EXPECT_TRUE(client->Perform({.url = server.url() + "/t"}).ok()); });
  other.join();
  EXPECT_EQ(server.accepted_connections(), 1);
}

TEST(HttpClientTest, ServesConcurrentCallers) {
  TestHttpServer server([](const RecordedRequest&) { return Ok("x"); });
  auto client = NewCurlHttpClient();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) ok += client->Perform({.url = server.url() + "/c"}).ok();
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 40);
  EXPECT_LE(server.accepted_connections(), 4);
}

TEST(HttpClientTest, ConnectionRefusedIsUnavailable) {
  RefusingPort refusing;
  auto client = NewCurlHttpClient();
  Result<HttpReply> reply =
      client->Perform({.url = "http://127.0.0.1:" + std::to_string(refusing.port) + "/"});
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kUnavailable) << reply.status().ToString();
}

TEST(HttpClientTest, ConnectTimeoutIsDeadlineExceededWithinTheBound) {
  FullBacklog backlog;
  auto client = NewCurlHttpClient();
  auto start = steady_clock::now();
  Result<HttpReply> reply =
      client->Perform({.url = "http://127.0.0.1:" + std::to_string(backlog.port) + "/",
                       .connect_timeout = milliseconds(300),
                       .total_timeout = milliseconds(20000)});
  auto elapsed = steady_clock::now() - start;
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kDeadlineExceeded) << reply.status().ToString();
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

TEST(HttpClientTest, ServerThatNeverAnswersIsDeadlineExceededWithinTheTotalTimeout) {
  TestHttpServer server([](const RecordedRequest&) { return ScriptedReply{.hang = true}; });
  auto client = NewCurlHttpClient();
  auto start = steady_clock::now();
  Result<HttpReply> reply =
      client->Perform({.url = server.url() + "/slow", .total_timeout = milliseconds(300)});
  auto elapsed = steady_clock::now() - start;
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kDeadlineExceeded) << reply.status().ToString();
  EXPECT_GE(elapsed, milliseconds(250));
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

TEST(HttpClientTest, ErrorMessagesLeaveOutTheQueryString) {
  RefusingPort refusing;
  auto client = NewCurlHttpClient();
  Result<HttpReply> reply = client->Perform(
      {.url = "http://127.0.0.1:" + std::to_string(refusing.port) + "/k?X-Amz-Signature=abc123"});
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().message().find("abc123"), std::string::npos);
}

TEST(HttpClientTest, UnsupportedSchemeIsInvalidArgument) {
  auto client = NewCurlHttpClient();
  Result<HttpReply> reply = client->Perform({.url = "ftp://127.0.0.1/x"});
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kInvalidArgument) << reply.status().ToString();
}

}  // namespace
}  // namespace pictor::aws
