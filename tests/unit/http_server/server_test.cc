// Request/response behaviour of HttpServer, seen through a plain socket client.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "http/server.h"
#include "test_client.h"
#include "test_service.h"

namespace pictor::http {
namespace {

using testing::GetRequest;
using testing::PostRequest;
using testing::TestConnection;
using testing::TestService;
using namespace std::chrono_literals;

class ServerTest : public ::testing::Test {
 protected:
  void StartServer(ServerOptions options = {}) {
    auto started = HttpServer::Start(options, service_);
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    server_ = std::move(started).value();
  }
  void SetUp() override { StartServer(); }
  TestConnection Connect() { return TestConnection(server_->port()); }

  TestService service_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(ServerTest, GetRoundTripCarriesHeadersAndStandardFields) {
  TestConnection client = Connect();
  auto response = client.RoundTrip(GetRequest("/echo", "X-Test: hello\r\n"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "GET|/echo||hello|");
  EXPECT_EQ(response->Header("Content-Length"), std::to_string(response->body.size()));
  EXPECT_EQ(response->Header("Content-Type"), "text/plain");
  EXPECT_EQ(response->Header("Server"), "pictor");  // no version to look up defects by
  EXPECT_EQ(response->Header("X-Content-Type-Options"), "nosniff");
  ASSERT_TRUE(response->Header("Date"));
  EXPECT_EQ(response->Header("Date")->size(), 29u);  // "Sun, 06 Nov 1994 08:49:37 GMT"
}

TEST_F(ServerTest, PostRoundTripDeliversBody) {
  TestConnection client = Connect();
  auto response = client.RoundTrip(PostRequest("/echo", "{\"prompt\": \"a cat\"}"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "POST|/echo|||{\"prompt\": \"a cat\"}");
}

TEST_F(ServerTest, ServiceHeadersOverrideDefaults) {
  TestConnection client = Connect();
  auto response = client.RoundTrip(GetRequest("/custom-server"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Header("Server"), "custom");
}

TEST_F(ServerTest, KeepAliveServesHundredRequestsOnOneConnection) {
  TestConnection client = Connect();
  for (int i = 0; i < 100; ++i) {
    auto response = client.RoundTrip(GetRequest("/echo?i=" + std::to_string(i)));
    ASSERT_TRUE(response) << "request " << i;
    EXPECT_EQ(response->body, "GET|/echo|i=" + std::to_string(i) + "||");
  }
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  TestConnection client = Connect();
  ASSERT_TRUE(client.Send(GetRequest("/echo?n=1") + PostRequest("/echo?n=2", "two") +
                          GetRequest("/echo?n=3")));
  for (const char* expected : {"GET|/echo|n=1||", "POST|/echo|n=2||two", "GET|/echo|n=3||"}) {
    auto response = client.Read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body, expected);
  }
}

TEST_F(ServerTest, ConnectionCloseIsHonoured) {
  TestConnection client = Connect();
  auto response = client.RoundTrip(GetRequest("/fast", "Connection: close\r\n"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_TRUE(client.WaitClosed(2s));
}

TEST_F(ServerTest, Http10ClosesUnlessKeepAliveAsked) {
  TestConnection plain = Connect();
  ASSERT_TRUE(plain.RoundTrip("GET /fast HTTP/1.0\r\n\r\n"));
  EXPECT_TRUE(plain.WaitClosed(2s));

  TestConnection kept = Connect();
  auto first = kept.RoundTrip("GET /fast HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->Header("Connection"), "keep-alive");
  EXPECT_TRUE(kept.RoundTrip("GET /fast HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
}

TEST_F(ServerTest, BodyOneByteOverLimitGets413WithoutReachingService) {
  TestConnection client = Connect();
  auto response = client.RoundTrip(PostRequest("/echo", std::string(64 * 1024 + 1, 'x')));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(response->Header("Content-Type"), "application/json");
  EXPECT_NE(response->body.find("\"error\":\"payload_too_large\""), std::string::npos);
  EXPECT_EQ(service_.calls, 0);
  EXPECT_TRUE(client.WaitClosed(3s));
}

TEST_F(ServerTest, BodyExactlyAtLimitIsAccepted) {
  TestConnection client = Connect();
  std::string body(64 * 1024, 'x');
  auto response = client.RoundTrip(PostRequest("/echo", body));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "POST|/echo|||" + body);
}

TEST_F(ServerTest, AnnouncedOversizeBodyGets413BeforeItIsSent) {
  TestConnection client = Connect();
  auto response =
      client.RoundTrip("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(service_.calls, 0);
}

TEST_F(ServerTest, ChunkedBodyOverLimitGets413) {
  TestConnection client = Connect();
  std::string chunk(40 * 1024, 'y');
  char size_line[32];
  std::snprintf(size_line, sizeof(size_line), "%zx\r\n", chunk.size());
  std::string request = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  request += size_line + chunk + "\r\n" + size_line + chunk + "\r\n0\r\n\r\n";
  auto response = client.RoundTrip(request);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(service_.calls, 0);
}

TEST_F(ServerTest, Expect100ContinueGetsInterimResponseThenFinal) {
  TestConnection client = Connect();
  ASSERT_TRUE(client.Send(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"));
  auto interim = client.Read();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  auto response = client.RoundTrip("body");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "POST|/echo|||body");
}

TEST_F(ServerTest, TransferCodingsOtherThanChunkedGet501WithoutReachingService) {
  for (const char* coding :
       {"gzip", "gzip, chunked", "chunked, chunked", "identity", "x-made-up"}) {
    TestConnection client = Connect();
    auto response =
        client.RoundTrip(std::string("POST /echo HTTP/1.1\r\nHost: x\r\n") +
                         "Transfer-Encoding: " + coding + "\r\n\r\n4\r\nbody\r\n0\r\n\r\n");
    ASSERT_TRUE(response) << coding;
    EXPECT_EQ(response->status, 501) << coding;
    EXPECT_TRUE(client.WaitClosed(3s)) << coding;
  }
  EXPECT_EQ(service_.calls, 0);
  TestConnection client = Connect();
  auto chunked = client.RoundTrip(
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n4\r\nbody\r\n0\r\n\r\n");
  ASSERT_TRUE(chunked);
  EXPECT_EQ(chunked->status, 200);
  EXPECT_EQ(chunked->body, "POST|/echo|||body");
}

TEST_F(ServerTest, ExpectationsOtherThan100ContinueGet417) {
  for (const char* expectation : {"200-ok", "100-continue, x", "fly"}) {
    TestConnection client = Connect();
    auto response =
        client.RoundTrip(std::string("POST /echo HTTP/1.1\r\nHost: x\r\n") +
                         "Content-Length: 4\r\nExpect: " + expectation + "\r\n\r\nbody");
    ASSERT_TRUE(response) << expectation;
    EXPECT_EQ(response->status, 417) << expectation;
    EXPECT_NE(response->status, 100) << expectation;
  }
  EXPECT_EQ(service_.calls, 0);
}

TEST_F(ServerTest, Http11WithoutOrWithTwoHostsGets400AndHttp10WithoutIsServed) {
  for (const char* head :
       {"GET /echo HTTP/1.1\r\n\r\n", "GET /echo HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"}) {
    TestConnection client = Connect();
    auto response = client.RoundTrip(head);
    ASSERT_TRUE(response) << head;
    EXPECT_EQ(response->status, 400) << head;
    EXPECT_EQ(response->Header("X-Content-Type-Options"), "nosniff");
  }
  EXPECT_EQ(service_.calls, 0);
  TestConnection client = Connect();
  auto old = client.RoundTrip("GET /echo HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->status, 200);
}

TEST_F(ServerTest, GarbageGets400AndClose) {
  TestConnection client = Connect();
  auto response = client.RoundTrip("this is not HTTP at all\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(service_.calls, 0);
  EXPECT_TRUE(client.WaitClosed(3s));
}

TEST_F(ServerTest, HeaderOverLimitGets431) {
  TestConnection client = Connect();
  auto response =
      client.RoundTrip(GetRequest("/echo", "X-Big: " + std::string(20 * 1024, 'h') + "\r\n"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431);
  EXPECT_EQ(service_.calls, 0);
}

TEST_F(ServerTest, PathIsPercentDecodedAndQuerySplitOff) {
  TestConnection client = Connect();
  auto response = client.RoundTrip(GetRequest("/echo%20x/a%2Fb?q=%20c&d=1"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);  // "/echo x/a/b" is not a route: shows the decoding
  auto echoed = client.RoundTrip(GetRequest("/ech%6F?q=%20c&d=1"));
  ASSERT_TRUE(echoed);
  EXPECT_EQ(echoed->body, "GET|/echo|q=%20c&d=1||");
}

TEST_F(ServerTest, UndecodablePathGets400) {
  TestConnection client = Connect();
  for (const char* path : {"/bad%zz", "/nul%00byte", "/cut%4"}) {
    auto response = client.RoundTrip(GetRequest(path));
    ASSERT_TRUE(response) << path;
    EXPECT_EQ(response->status, 400) << path;
  }
  EXPECT_EQ(service_.calls, 0);
}

TEST_F(ServerTest, HeadSendsLengthButNoBody) {
  TestConnection client = Connect();
  auto response = client.RoundTrip("HEAD /fast HTTP/1.1\r\nHost: x\r\n\r\n", /*head=*/true);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Header("Content-Length"), "4");
  // Had body bytes been sent, they would be read here as the next response's start.
  auto next = client.RoundTrip(GetRequest("/fast"));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(next->body, "fast");
}

TEST_F(ServerTest, ExceptionInServiceBecomes500AndServerKeepsServing) {
  TestConnection client = Connect();
  auto response = client.RoundTrip(GetRequest("/throw"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(response->body, R"({"message": "internal error", "error": "internal"})");
  auto next = client.RoundTrip(GetRequest("/fast"));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "fast");
}

TEST_F(ServerTest, RemoteAddressAndMethodReachService) {
  class AddressService : public HttpService {
   public:
    HttpResponse Handle(const HttpRequest& request) override {
      return routes_.Dispatch(request).response;
    }
    const RouteTable& routes() const override { return routes_; }

   private:
    const RouteTable routes_{{{"GET", "/", [](const HttpRequest& request, const PathParams&) {
                                 return HttpResponse{200, {}, request.remote_address};
                               }}}};
  } address_service;
  auto server = HttpServer::Start({}, address_service);
  ASSERT_TRUE(server.ok());
  TestConnection client((*server)->port());
  auto response = client.RoundTrip(GetRequest("/"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "127.0.0.1");
}

TEST(ServerStartTest, RejectsHostName) {
  TestService service;
  ServerOptions options;
  options.host = "example.com";
  auto server = HttpServer::Start(options, service);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), StatusCode::kInvalidArgument);
}

TEST(ServerStartTest, ReportsAddressInUseAsUnavailable) {
  TestService service;
  auto first = HttpServer::Start({}, service);
  ASSERT_TRUE(first.ok());
  ServerOptions options;
  options.port = (*first)->port();
  auto second = HttpServer::Start(options, service);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
}

TEST(ServerStartTest, AcceptsLocalhost) {
  TestService service;
  ServerOptions options;
  options.host = "localhost";
  auto server = HttpServer::Start(options, service);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  TestConnection client((*server)->port());
  EXPECT_TRUE(client.RoundTrip(GetRequest("/fast")));
}

}  // namespace
}  // namespace pictor::http
