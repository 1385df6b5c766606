// The HttpClient against scripted local servers: request bytes, replies, connection reuse and
// its retry, timeouts and refusals. TLS and proxies: http_client_tls_proxy_test.cc.
#include "net/http_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "refusing_port.h"
#include "test_http_server.h"

namespace pictor::net {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using testing::RecordedRequest;
using testing::RefusingPort;
using testing::ScriptedReply;
using testing::TestHttpServer;

ScriptedReply Ok(std::string body) { return {200, {{"X-Amzn-RequestId", "rid-1"}}, body}; }

// A handler that answers the `n`th request (from 1) with `reply` and every other with 200 "ok".
TestHttpServer::Handler OnRequest(int n, ScriptedReply reply) {
  auto count = std::make_shared<std::atomic<int>>(0);
  return [count, n, reply](const RecordedRequest&) {
    return count->fetch_add(1) + 1 == n ? reply : ScriptedReply{200, {}, "ok"};
  };
}

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

std::string Port(int port) { return std::to_string(port); }

// ---- Replies --------------------------------------------------------------------------------

TEST(HttpClientTest, ReturnsStatusHeadersAndBody) {
  TestHttpServer server([](const RecordedRequest&) { return Ok("hello"); });
  auto client = NewHttpClient();
  Result<HttpReply> reply = client->Perform({.method = "GET", .url = server.url() + "/x"});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "hello");
  EXPECT_EQ(reply->Header("x-amzn-requestid"), "rid-1");
  EXPECT_EQ(reply->FindHeader("absent"), nullptr);
}

// A webhook's checked addresses: the name is never resolved (".invalid" never resolves), the
// connection goes to the address given, the Host header keeps the name, and nothing is pooled.
TEST(HttpClientTest, ConnectsToTheGivenAddressesInsteadOfResolvingTheName) {
  TestHttpServer server([](const RecordedRequest&) { return Ok("pinned"); });
  auto client = NewHttpClient();
  HttpCall call{.method = "POST", .url = "http://hooks.invalid:" + Port(server.port()) + "/in"};
  call.connect_addresses = {"127.0.0.1"};
  Result<HttpReply> reply = client->Perform(call);
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->body, "pinned");
  EXPECT_EQ(server.requests().at(0).Header("Host"), "hooks.invalid:" + Port(server.port()));
  // Without the addresses the name is resolved, and does not resolve.
  EXPECT_FALSE(client->Perform({.url = "http://hooks.invalid:" + Port(server.port()) + "/"}).ok());
  call.connect_addresses = {"not an address"};
  EXPECT_TRUE(client->Perform(call).status().IsInvalidArgument());
}

TEST(HttpClientTest, KeepsReplyHeadersInArrivalOrderWithTheirNamesAndTrimmedValues) {
  TestHttpServer server([](const RecordedRequest&) {
    return ScriptedReply{.raw =
                             "HTTP/1.1 201 Created\r\nx-Amz-ID-2:   padded value  \r\n"
                             "Set-Cookie: a=1\r\nContent-Length: 2\r\nSet-Cookie: b=2\r\n"
                             "X-Empty:\r\n\r\nhi"};
  });
  auto client = NewHttpClient();
  Result<HttpReply> reply = client->Perform({.url = server.url() + "/"});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 201);
  EXPECT_EQ(reply->body, "hi");
  std::vector<std::pair<std::string, std::string>> expected = {{"x-Amz-ID-2", "padded value"},
                                                               {"Set-Cookie", "a=1"},
                                                               {"Content-Length", "2"},
                                                               {"Set-Cookie", "b=2"},
                                                               {"X-Empty", ""}};
  EXPECT_EQ(reply->headers, expected);
}

TEST(HttpClientTest, AnyHttpStatusIsAReply) {
  TestHttpServer server([](const RecordedRequest&) { return ScriptedReply{503, {}, "busy"}; });
  auto client = NewHttpClient();
  Result<HttpReply> reply = client->Perform({.url = server.url() + "/"});
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->status, 503);
  EXPECT_EQ(reply->body, "busy");
}

TEST(HttpClientTest, SkipsInterimReplies) {
  TestHttpServer server([](const RecordedRequest&) {
    return ScriptedReply{.raw =
                             "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n"
                             "HTTP/1.1 200 OK\r\nX-Final: yes\r\nContent-Length: 4\r\n\r\ndone"};
  });
  auto client = NewHttpClient();
  Result<HttpReply> reply =
      client->Perform({.method = "POST", .url = server.url() + "/", .body = "x"});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->Header("X-Final"), "yes");
  EXPECT_EQ(reply->body, "done");
}

TEST(HttpClientTest, ReadsChunkedBodies) {
  TestHttpServer server([](const RecordedRequest&) {
    return ScriptedReply{.body = "a chunked body in three parts", .chunked = true};
  });
  auto client = NewHttpClient();
  Result<HttpReply> first = client->Perform({.url = server.url() + "/1"});
  Result<HttpReply> second = client->Perform({.url = server.url() + "/2"});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(first->body, "a chunked body in three parts");
  EXPECT_EQ(second->body, "a chunked body in three parts");
  EXPECT_EQ(server.accepted_connections(), 1);  // the chunked reply ended cleanly
}

TEST(HttpClientTest, ReadsABodyThatEndsWhenTheServerCloses) {
  TestHttpServer server([](const RecordedRequest&) {
    return ScriptedReply{.raw = "HTTP/1.1 200 OK\r\nX-Kind: until-close\r\n\r\nall of it",
                         .close = true};
  });
  auto client = NewHttpClient();
  Result<HttpReply> first = client->Perform({.url = server.url() + "/1"});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->body, "all of it");
  ASSERT_TRUE(client->Perform({.url = server.url() + "/2"}).ok());
  EXPECT_EQ(server.accepted_connections(), 2);  // a closed connection is never pooled
}

TEST(HttpClientTest, ReadsALargeBody) {
  std::string large(8 << 20, '\0');
  for (size_t i = 0; i < large.size(); ++i) large[i] = static_cast<char>('a' + i % 26);
  TestHttpServer server([&](const RecordedRequest&) { return Ok(large); });
  auto client = NewHttpClient();
  Result<HttpReply> reply = client->Perform({.url = server.url() + "/big"});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->body.size(), large.size());
  EXPECT_TRUE(reply->body == large);
}

TEST(HttpClientTest, RejectsABodyOverTheLimit) {
  TestHttpServer server([](const RecordedRequest&) {
    return ScriptedReply{.raw = "HTTP/1.1 200 OK\r\nContent-Length: 70000000\r\n\r\nxx",
                         .close = true};
  });
  auto client = NewHttpClient();
  Result<HttpReply> reply = client->Perform({.url = server.url() + "/huge"});
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kInternal) << reply.status().ToString();
}

TEST(HttpClientTest, HeadReplyHasNoBody) {
  TestHttpServer server([](const RecordedRequest&) { return ScriptedReply{404, {}, "ignored"}; });
  auto client = NewHttpClient();
  Result<HttpReply> reply = client->Perform({.method = "HEAD", .url = server.url() + "/k"});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 404);
  EXPECT_EQ(reply->body, "");
  EXPECT_EQ(reply->Header("Content-Length"), "7");
  EXPECT_EQ(server.requests().at(0).method, "HEAD");
  // Nothing was left to read: the connection serves the next call.
  Result<HttpReply> next = client->Perform({.url = server.url() + "/k"});
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->body, "ignored");
  EXPECT_EQ(server.accepted_connections(), 1);
}

// ---- Request bytes --------------------------------------------------------------------------

TEST(HttpClientTest, SendsTheRequestExactlyAsGiven) {
  TestHttpServer server([](const RecordedRequest&) { return Ok(""); });
  auto client = NewHttpClient();
  HttpCall call{.method = "PUT",
                .url = server.url() + "/bucket/a%2Fb%20c?x=1&y=%2F#fragment",
                .headers = {{"X-Amz-Date", "20240101T000000Z"},
                            {"x-amz-content-sha256", "UNSIGNED-PAYLOAD"},
                            {"Authorization", "AWS4-HMAC-SHA256 Credential=a/b, Signature=c"},
                            {"X-Empty", ""}},
                .body = "payload"};
  ASSERT_TRUE(client->Perform(call).ok());
  ASSERT_EQ(server.requests().size(), 1u);
  RecordedRequest seen = server.requests()[0];
  EXPECT_EQ(seen.head,
            "PUT /bucket/a%2Fb%20c?x=1&y=%2F HTTP/1.1\r\n"
            "Host: 127.0.0.1:" +
                Port(server.port()) +
                "\r\n"
                "X-Amz-Date: 20240101T000000Z\r\n"
                "x-amz-content-sha256: UNSIGNED-PAYLOAD\r\n"
                "Authorization: AWS4-HMAC-SHA256 Credential=a/b, Signature=c\r\n"
                "X-Empty:\r\n"
                "Content-Length: 7\r\n"
                "\r\n");
  EXPECT_EQ(seen.body, "payload");
}

TEST(HttpClientTest, AddsNothingToAGetButHost) {
  TestHttpServer server([](const RecordedRequest&) { return Ok(""); });
  auto client = NewHttpClient();
  ASSERT_TRUE(client->Perform({.url = server.url()}).ok());
  EXPECT_EQ(server.requests().at(0).head,
            "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + Port(server.port()) + "\r\n\r\n");
}

TEST(HttpClientTest, EmptyPostCarriesContentLengthZero) {
  TestHttpServer server([](const RecordedRequest&) { return Ok(""); });
  auto client = NewHttpClient();
  ASSERT_TRUE(client->Perform({.method = "POST", .url = server.url() + "/p?q"}).ok());
  EXPECT_EQ(server.requests().at(0).head,
            "POST /p?q HTTP/1.1\r\nHost: 127.0.0.1:" + Port(server.port()) +
                "\r\nContent-Length: 0\r\n\r\n");
}

TEST(HttpClientTest, KeepsTheCallersHostAndContentLength) {
  TestHttpServer server([](const RecordedRequest&) { return Ok(""); });
  auto client = NewHttpClient();
  HttpCall call{.method = "POST",
                .url = server.url() + "/",
                .headers = {{"content-length", "2"}, {"host", "bucket.example.test"}},
                .body = "{}"};
  ASSERT_TRUE(client->Perform(call).ok());
  EXPECT_EQ(server.requests().at(0).head,
            "POST / HTTP/1.1\r\ncontent-length: 2\r\nhost: bucket.example.test\r\n\r\n");
}

TEST(HttpClientTest, HeaderWithALineBreakIsInvalidArgument) {
  TestHttpServer server([](const RecordedRequest&) { return Ok(""); });
  auto client = NewHttpClient();
  Result<HttpReply> reply = client->Perform(
      {.url = server.url() + "/", .headers = {{"X-Bad", "secret\r\nX-Injected: 1"}}});
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(reply.status().message().find("secret"), std::string::npos);
  EXPECT_TRUE(server.requests().empty());
}

// ---- Connection reuse -----------------------------------------------------------------------

TEST(HttpClientTest, ReusesTheConnectionForSequentialCalls) {
  TestHttpServer server([](const RecordedRequest&) { return Ok("x"); });
  auto client = NewHttpClient();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(client->Perform({.url = server.url() + "/" + std::to_string(i)}).ok());
  }
  EXPECT_EQ(server.requests().size(), 5u);
  EXPECT_EQ(server.accepted_connections(), 1);
}

TEST(HttpClientTest, ReusesConnectionsAcrossThreads) {
  TestHttpServer server([](const RecordedRequest&) { return Ok("x"); });
  auto client = NewHttpClient();
  ASSERT_TRUE(client->Perform({.url = server.url() + "/warm"}).ok());
  std::thread other([&] { EXPECT_TRUE(client->Perform({.url = server.url() + "/t"}).ok()); });
  other.join();
  EXPECT_EQ(server.accepted_connections(), 1);
}

TEST(HttpClientTest, ServesConcurrentCallersFromEightThreads) {
  TestHttpServer server([](const RecordedRequest& request) { return Ok(request.target); });
  auto client = NewHttpClient();
  std::vector<std::thread> threads;
  std::atomic<int> matched{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        std::string path = "/t" + std::to_string(t) + "/" + std::to_string(i);
        Result<HttpReply> reply = client->Perform({.url = server.url() + path});
        matched += reply.ok() && reply->body == path;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(matched.load(), 160);
  EXPECT_LE(server.accepted_connections(), 8);
}

TEST(HttpClientTest, KeepsAtMostTheGivenNumberOfIdleConnections) {
  TestHttpServer a([](const RecordedRequest&) { return Ok("a"); });
  TestHttpServer b([](const RecordedRequest&) { return Ok("b"); });
  auto client = NewHttpClient(1);
  ASSERT_TRUE(client->Perform({.url = a.url() + "/"}).ok());
  ASSERT_TRUE(client->Perform({.url = b.url() + "/"}).ok());  // the only idle place goes to b
  ASSERT_TRUE(client->Perform({.url = a.url() + "/"}).ok());
  ASSERT_TRUE(client->Perform({.url = a.url() + "/"}).ok());
  EXPECT_EQ(a.accepted_connections(), 2);
  EXPECT_EQ(b.accepted_connections(), 1);

  auto unpooled = NewHttpClient(0);
  ASSERT_TRUE(unpooled->Perform({.url = b.url() + "/"}).ok());
  ASSERT_TRUE(unpooled->Perform({.url = b.url() + "/"}).ok());
  EXPECT_EQ(b.accepted_connections(), 3);
}

TEST(HttpClientTest, DoesNotPoolAConnectionTheServerWillClose) {
  TestHttpServer server([](const RecordedRequest&) {
    return ScriptedReply{200, {{"Connection", "close"}}, "bye"};
  });
  auto client = NewHttpClient();
  ASSERT_TRUE(client->Perform({.url = server.url() + "/1"}).ok());
  ASSERT_TRUE(client->Perform({.url = server.url() + "/2"}).ok());
  EXPECT_EQ(server.accepted_connections(), 2);
}

TEST(HttpClientTest, DoesNotPoolAnHttp10Connection) {
  TestHttpServer server([](const RecordedRequest&) {
    return ScriptedReply{.raw = "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"};
  });
  auto client = NewHttpClient();
  ASSERT_TRUE(client->Perform({.url = server.url() + "/1"}).ok());
  ASSERT_TRUE(client->Perform({.url = server.url() + "/2"}).ok());
  EXPECT_EQ(server.accepted_connections(), 2);
}

TEST(HttpClientTest, IdleConnectionTheServerClosedIsReplaced) {
  TestHttpServer server(
      [](const RecordedRequest&) { return ScriptedReply{.body = "x", .close = true}; });
  auto client = NewHttpClient();
  ASSERT_TRUE(client->Perform({.url = server.url() + "/1"}).ok());
  Result<HttpReply> second = client->Perform({.url = server.url() + "/2"});
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(server.accepted_connections(), 2);
}

TEST(HttpClientTest, RequestOnAConnectionClosedUnderItIsSentOnceMoreOnAFreshOne) {
  // The second request meets a server that closes the connection without replying, as one
  // does when its idle timeout fires just as the request arrives.
  TestHttpServer server(OnRequest(2, ScriptedReply{.raw = "", .close = true}));
  auto client = NewHttpClient();
  ASSERT_TRUE(client->Perform({.url = server.url() + "/1"}).ok());
  Result<HttpReply> second =
      client->Perform({.method = "POST", .url = server.url() + "/2", .body = "b"});
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->body, "ok");
  ASSERT_EQ(server.requests().size(), 3u);
  EXPECT_EQ(server.requests()[1].target, "/2");
  EXPECT_EQ(server.requests()[2].target, "/2");
  EXPECT_EQ(server.requests()[2].body, "b");
  EXPECT_EQ(server.accepted_connections(), 2);
}

TEST(HttpClientTest, FreshConnectionClosedWithoutAReplyIsUnavailableAndNotResent) {
  TestHttpServer server(
      [](const RecordedRequest&) { return ScriptedReply{.raw = "", .close = true}; });
  auto client = NewHttpClient();
  Result<HttpReply> reply = client->Perform({.url = server.url() + "/"});
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kUnavailable) << reply.status().ToString();
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(HttpClientTest, ReplyCutOffOnAReusedConnectionIsUnavailableAndNotResent) {
  TestHttpServer server(OnRequest(
      2, ScriptedReply{.raw = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc", .close = true}));
  auto client = NewHttpClient();
  ASSERT_TRUE(client->Perform({.url = server.url() + "/1"}).ok());
  Result<HttpReply> reply = client->Perform({.method = "POST", .url = server.url() + "/2"});
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kUnavailable) << reply.status().ToString();
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(server.accepted_connections(), 1);
}

// ---- Failures -------------------------------------------------------------------------------

TEST(HttpClientTest, ConnectionRefusedIsUnavailable) {
  RefusingPort refusing;
  auto client = NewHttpClient();
  Result<HttpReply> reply =
      client->Perform({.url = "http://127.0.0.1:" + Port(refusing.port) + "/"});
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kUnavailable) << reply.status().ToString();
  EXPECT_NE(reply.status().message().find("127.0.0.1"), std::string::npos);
}

TEST(HttpClientTest, ConnectTimeoutIsDeadlineExceededWithinTheBound) {
  FullBacklog backlog;
  auto client = NewHttpClient();
  auto start = steady_clock::now();
  Result<HttpReply> reply = client->Perform({.url = "http://127.0.0.1:" + Port(backlog.port) + "/",
                                             .connect_timeout = milliseconds(300),
                                             .total_timeout = milliseconds(20000)});
  auto elapsed = steady_clock::now() - start;
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kDeadlineExceeded) << reply.status().ToString();
  EXPECT_GE(elapsed, milliseconds(250));
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

TEST(HttpClientTest, ServerThatNeverAnswersIsDeadlineExceededWithinTheTotalTimeout) {
  TestHttpServer server([](const RecordedRequest&) { return ScriptedReply{.hang = true}; });
  auto client = NewHttpClient();
  auto start = steady_clock::now();
  Result<HttpReply> reply =
      client->Perform({.url = server.url() + "/slow", .total_timeout = milliseconds(300)});
  auto elapsed = steady_clock::now() - start;
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kDeadlineExceeded) << reply.status().ToString();
  EXPECT_GE(elapsed, milliseconds(250));
  EXPECT_LT(elapsed, std::chrono::seconds(5));
  EXPECT_EQ(server.requests().size(), 1u);  // a timeout is not resent
}

TEST(HttpClientTest, ErrorMessagesLeaveOutTheQueryString) {
  RefusingPort refusing;
  auto client = NewHttpClient();
  Result<HttpReply> reply = client->Perform(
      {.url = "http://127.0.0.1:" + Port(refusing.port) + "/k?X-Amz-Signature=abc123"});
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().message().find("abc123"), std::string::npos);
  EXPECT_NE(reply.status().message().find("/k"), std::string::npos);
}

TEST(HttpClientTest, UnsupportedSchemeIsInvalidArgument) {
  auto client = NewHttpClient();
  Result<HttpReply> reply = client->Perform({.url = "ftp://127.0.0.1/x"});
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kInvalidArgument) << reply.status().ToString();
}

TEST(HttpClientTest, MalformedUrlsAreInvalidArgument) {
  auto client = NewHttpClient();
  for (const char* url : {"", "127.0.0.1/x", "http://", "http:///path", "http://host:0/",
                          "http://host:65536/", "http://host:8o/", "http://[::1/", "http://::1/",
                          "http://bad host/", "http://host/a b", "http://user:pw@host/"}) {
    Result<HttpReply> reply = client->Perform({.url = url});
    ASSERT_FALSE(reply.ok()) << url;
    EXPECT_EQ(reply.status().code(), StatusCode::kInvalidArgument) << url;
    EXPECT_EQ(reply.status().message().find("pw"), std::string::npos) << url;
  }
}

TEST(HttpClientTest, AcceptsAnIpv6Host) {
  RefusingPort refusing;  // nothing listens on [::1] at this port either
  auto client = NewHttpClient();
  Result<HttpReply> reply = client->Perform({.url = "http://[::1]:" + Port(refusing.port) + "/"});
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kUnavailable) << reply.status().ToString();
  EXPECT_NE(reply.status().message().find("[::1]"), std::string::npos);
}

}  // namespace
}  // namespace pictor::net
