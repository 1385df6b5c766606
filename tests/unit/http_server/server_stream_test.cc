// Streaming responses (HttpResponse::stream): the header at once, the body as the stream writes
// it, keepalives when it is quiet, the stream stopped when the client goes away.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "http/server.h"
#include "test_client.h"
#include "test_service.h"

namespace pictor::http {
namespace {

using testing::GetRequest;
using testing::TestConnection;
using testing::TestService;
using namespace std::chrono_literals;

class ServerStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = HttpServer::Start(options_, service_);
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    server_ = std::move(started).value();
  }

  // Sends GET `path` and reads the header of the answer.
  std::string OpenStream(TestConnection& client, std::string_view path = "/stream",
                         std::string_view request = "") {
    EXPECT_TRUE(client.Send(request.empty() ? GetRequest(path) : request));
    return client.ReadUntil("\r\n\r\n").value_or("");
  }

  ServerOptions options_;
  TestService service_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(ServerStreamTest, HeaderGoesOutAtOnceChunkedWithoutContentLength) {
  TestConnection client(server_->port());
  std::string header = OpenStream(client);
  EXPECT_EQ(header.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << header;
  EXPECT_NE(header.find("Content-Type: text/event-stream\r\n"), std::string::npos) << header;
  EXPECT_NE(header.find("Transfer-Encoding: chunked\r\n"), std::string::npos) << header;
  EXPECT_EQ(header.find("Content-Length"), std::string::npos) << header;
  ASSERT_TRUE(service_.AwaitStreams(1, 5s));
}

TEST_F(ServerStreamTest, EachWriteReachesTheClientAsItComes) {
  TestConnection client(server_->port());
  OpenStream(client);
  ASSERT_TRUE(service_.AwaitStreams(1, 5s));
  auto stream = service_.streams().front();
  ASSERT_TRUE(stream->Push("data: first\n\n"));
  EXPECT_EQ(client.ReadUntil("first\n\n\r\n"), "d\r\ndata: first\n\n\r\n");
  ASSERT_TRUE(stream->Push("data: second\n\n"));
  EXPECT_EQ(client.ReadUntil("second\n\n\r\n"), "e\r\ndata: second\n\n\r\n");
}

TEST_F(ServerStreamTest, EndedStreamKeepsTheConnectionForTheNextRequest) {
  TestConnection client(server_->port());
  std::string header = OpenStream(client, "/stream-ended");
  EXPECT_EQ(header.find("Connection: close"), std::string::npos) << header;
  EXPECT_EQ(client.ReadUntil("0\r\n\r\n"), "4\r\none\n\r\n4\r\ntwo\n\r\n0\r\n\r\n");
  auto next = client.RoundTrip(GetRequest("/fast"));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "fast");
  EXPECT_TRUE(service_.streams().front()->stopped());
}

// A kept connection that carried a stream carries the next one whole: the state of the first
// (its end) must not silence the second (a browser reuses the connection for the next job's
// events, which then never came).
TEST_F(ServerStreamTest, StreamsOneAfterAnotherOnAKeptConnectionEachCarryTheirBody) {
  TestConnection client(server_->port());
  OpenStream(client, "/stream-ended");
  EXPECT_EQ(client.ReadUntil("0\r\n\r\n"), "4\r\none\n\r\n4\r\ntwo\n\r\n0\r\n\r\n");
  OpenStream(client, "/stream-ended");
  EXPECT_EQ(client.ReadUntil("0\r\n\r\n"), "4\r\none\n\r\n4\r\ntwo\n\r\n0\r\n\r\n");
  auto plain = client.RoundTrip(GetRequest("/fast"));
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->body, "fast");
  OpenStream(client, "/stream");
  ASSERT_TRUE(service_.AwaitStreams(3, 5s));
  ASSERT_TRUE(service_.streams().back()->Push("later", /*last=*/true));
  EXPECT_EQ(client.ReadUntil("0\r\n\r\n"), "5\r\nlater\r\n0\r\n\r\n");
}

TEST_F(ServerStreamTest, RequestPipelinedBehindAStreamIsAnsweredAfterIt) {
  TestConnection client(server_->port());
  ASSERT_TRUE(client.Send(GetRequest("/stream") + GetRequest("/fast")));
  ASSERT_TRUE(client.ReadUntil("\r\n\r\n"));
  ASSERT_TRUE(service_.AwaitStreams(1, 5s));
  ASSERT_TRUE(service_.streams().front()->Push("x", /*last=*/true));
  EXPECT_EQ(client.ReadUntil("0\r\n\r\n"), "1\r\nx\r\n0\r\n\r\n");
  auto next = client.Read();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "fast");
}

TEST_F(ServerStreamTest, Http10StreamIsCloseDelimited) {
  TestConnection client(server_->port());
  std::string header = OpenStream(client, "", "GET /stream-ended HTTP/1.0\r\n\r\n");
  EXPECT_EQ(header.rfind("HTTP/1.0 200 OK\r\n", 0), 0u) << header;
  EXPECT_EQ(header.find("chunked"), std::string::npos) << header;
  EXPECT_EQ(client.ReadUntil("two\n"), "one\ntwo\n");
  EXPECT_TRUE(client.WaitClosed(5s));
}

TEST_F(ServerStreamTest, QuietStreamGetsKeepalives) {
  TestConnection client(server_->port());
  OpenStream(client, "/stream-quiet");
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(client.ReadUntil(": keepalive\n\n\r\n", 2s), "d\r\n: keepalive\n\n\r\n") << i;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST_F(ServerStreamTest, ClientGoingAwayStopsTheStream) {
  auto client = std::make_unique<TestConnection>(server_->port());
  OpenStream(*client);
  ASSERT_TRUE(service_.AwaitStreams(1, 5s));
  auto stream = service_.streams().front();
  EXPECT_FALSE(stream->stopped());
  client.reset();
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!stream->stopped() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(stream->stopped());
  EXPECT_FALSE(stream->Push("late"));
}

TEST_F(ServerStreamTest, HeadGetsTheHeaderAloneAndStopsTheStream) {
  TestConnection client(server_->port());
  auto response = client.RoundTrip("HEAD /stream HTTP/1.1\r\nHost: x\r\n\r\n", /*head=*/true);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  ASSERT_TRUE(service_.AwaitStreams(1, 5s));
  EXPECT_TRUE(service_.streams().front()->stopped());
  EXPECT_FALSE(service_.streams().front()->started());
  auto next = client.RoundTrip(GetRequest("/fast"));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "fast");
}

TEST_F(ServerStreamTest, StopClosesOpenStreamsPromptly) {
  TestConnection client(server_->port());
  OpenStream(client);
  ASSERT_TRUE(service_.AwaitStreams(1, 5s));
  auto start = std::chrono::steady_clock::now();
  server_->Stop(5s);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_TRUE(client.WaitClosed(1s));
  EXPECT_TRUE(service_.streams().front()->stopped());
}

}  // namespace
}  // namespace pictor::http
