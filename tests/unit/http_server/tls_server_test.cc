// HttpServer over TLS, seen by an independent TLS client and by a plain socket: the protocol
// floor and cipher policy, certificate reload, and the connection limits during handshakes.
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "http/server.h"
#include "http/tls_server_context.h"
#include "test_client.h"
#include "test_service.h"
#include "tls_test_support.h"

namespace pictor::http {
namespace {

using testing::GetRequest;
using testing::MakeCertificate;
using testing::OpenSslFingerprint;
using testing::ReadWholeFile;
using testing::ReplaceFile;
using testing::ScratchDir;
using testing::TestConnection;
using testing::TestService;
using testing::TlsClientOptions;
using testing::TlsTestClient;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class TlsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(MakeCertificate(dir_ / "server.crt", dir_ / "server.key", "pictor-a"))
        << ReadWholeFile(dir_ / "server.crt.log");
    auto tls = TlsServerContext::Load(dir_ / "server.crt", dir_ / "server.key");
    ASSERT_TRUE(tls.ok()) << tls.status().ToString();
    tls_ = std::move(tls).value();
    first_fingerprint_ = OpenSslFingerprint(dir_ / "server.crt");
    ASSERT_FALSE(first_fingerprint_.empty());
  }

  void StartServer(ServerOptions options = {}) {
    options.tls = tls_;
    auto started = HttpServer::Start(options, service_);
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    server_ = std::move(started).value();
  }

  // Deploys a new pair at the served paths and reloads; returns the new fingerprint.
  std::string RotateCertificate() {
    EXPECT_TRUE(MakeCertificate(dir_ / "next.crt", dir_ / "next.key", "pictor-b"));
    EXPECT_TRUE(ReplaceFile(dir_ / "server.crt", ReadWholeFile(dir_ / "next.crt")));
    EXPECT_TRUE(ReplaceFile(dir_ / "server.key", ReadWholeFile(dir_ / "next.key")));
    Status reloaded = tls_->Reload();
    EXPECT_TRUE(reloaded.ok()) << reloaded.ToString();
    return OpenSslFingerprint(dir_ / "next.crt");
  }

  ScratchDir dir_;
  std::shared_ptr<TlsServerContext> tls_;
  std::string first_fingerprint_;
  TestService service_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(TlsServerTest, RequestsOverTls13KeepTheConnectionAlive) {
  StartServer();
  TlsTestClient client;
  ASSERT_TRUE(client.Connect(server_->port())) << client.error();
  EXPECT_EQ(client.Protocol(), "TLSv1.3");
  EXPECT_EQ(client.PeerFingerprint(), first_fingerprint_);
  EXPECT_EQ(client.Alpn(), "http/1.1");  // offered h2 and http/1.1: only HTTP/1.1 is spoken
  for (int i = 0; i < 20; ++i) {
    auto response = client.Get("/echo?i=" + std::to_string(i));
    ASSERT_TRUE(response) << "request " << i;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "GET|/echo|i=" + std::to_string(i) + "||");
  }
}

// A streaming response over TLS: the chunked body a client's HTTP parser reads whole (the stream
// writes two pieces and ends), and the connection kept for the next request.
TEST_F(TlsServerTest, StreamingResponseIsChunkedAndKeepsTheConnection) {
  StartServer();
  TlsTestClient client;
  ASSERT_TRUE(client.Connect(server_->port())) << client.error();
  auto streamed = client.Get("/stream-ended");
  ASSERT_TRUE(streamed);
  EXPECT_EQ(streamed->status, 200);
  EXPECT_EQ(streamed->Header("Transfer-Encoding"), "chunked");
  EXPECT_EQ(streamed->body, "one\ntwo\n");
  auto next = client.Get("/fast");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "fast");
}

TEST_F(TlsServerTest, Tls12ClientGetsAnAeadCipherWithForwardSecrecy) {
  StartServer();
  TlsClientOptions options;
  options.max_version = TLS1_2_VERSION;
  TlsTestClient client(options);
  ASSERT_TRUE(client.Connect(server_->port())) << client.error();
  EXPECT_EQ(client.Protocol(), "TLSv1.2");
  const std::string cipher = client.Cipher();
  EXPECT_EQ(cipher.rfind("ECDHE-", 0), 0u) << cipher;
  EXPECT_TRUE(cipher.find("GCM") != std::string::npos ||
              cipher.find("CHACHA20") != std::string::npos)
      << cipher;
  auto response = client.Get("/fast");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "fast");
}

// The client is allowed to go down to TLS 1.1 (security level 0); the refusal must come from
// the server, as its protocol_version alert shows.
TEST_F(TlsServerTest, Tls11IsRefusedByTheServer) {
  StartServer();
  TlsClientOptions options;
  options.allow_weak = true;
  options.min_version = TLS1_1_VERSION;
  options.max_version = TLS1_1_VERSION;
  options.ciphers = "DEFAULT@SECLEVEL=0";
  TlsTestClient client(options);
  ASSERT_FALSE(client.Connect(server_->port()));
  EXPECT_NE(client.error().find("alert protocol version"), std::string::npos) << client.error();
  EXPECT_EQ(service_.calls, 0);
}

TEST_F(TlsServerTest, Tls12ClientOfferingOnlyCbcCiphersIsRefused) {
  StartServer();
  TlsClientOptions options;
  options.allow_weak = true;
  options.max_version = TLS1_2_VERSION;
  options.ciphers = "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384:AES128-SHA";
  TlsTestClient client(options);
  ASSERT_FALSE(client.Connect(server_->port()));
  EXPECT_NE(client.error().find("alert handshake failure"), std::string::npos) << client.error();
}

TEST_F(TlsServerTest, ReloadReachesNewConnectionsWhileAnOpenOneKeepsItsOwn) {
  StartServer();
  TlsTestClient open;
  ASSERT_TRUE(open.Connect(server_->port())) << open.error();
  ASSERT_TRUE(open.Get("/fast"));
  const std::string second_fingerprint = RotateCertificate();
  ASSERT_NE(second_fingerprint, first_fingerprint_);

  TlsTestClient fresh;
  ASSERT_TRUE(fresh.Connect(server_->port())) << fresh.error();
  EXPECT_EQ(fresh.PeerFingerprint(), second_fingerprint);
  EXPECT_TRUE(fresh.Get("/fast"));

  auto again = open.Get("/echo?after=reload");
  ASSERT_TRUE(again) << "the connection opened before the reload was dropped";
  EXPECT_EQ(again->body, "GET|/echo|after=reload||");
  EXPECT_EQ(open.PeerFingerprint(), first_fingerprint_);
}

TEST_F(TlsServerTest, PlainHttpOnTheTlsPortIsToldToUseHttps) {
  StartServer();
  TestConnection plain(server_->port());
  auto response = plain.RoundTrip(GetRequest("/fast"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(response->Header("Content-Type"), "application/json");
  EXPECT_NE(response->body.find("\"error\": \"tls_required\""), std::string::npos);
  EXPECT_NE(response->body.find("https://"), std::string::npos);
  EXPECT_TRUE(plain.WaitClosed(3s));
  EXPECT_EQ(service_.calls, 0);

  TlsTestClient client;
  ASSERT_TRUE(client.Connect(server_->port())) << client.error();
  EXPECT_TRUE(client.Get("/fast"));
}

TEST_F(TlsServerTest, BytesThatAreNeitherTlsNorHttpAreClosedWithoutAnswer) {
  StartServer();
  // Binary noise, and a TLS record holding an empty ClientHello.
  for (std::string junk : {std::string("\x00\x01\x02\x03", 4),
                           std::string("\x16\x03\x01\x00\x04\x01\x00\x00\x00", 9)}) {
    TestConnection client(server_->port());
    ASSERT_TRUE(client.Send(junk));
    EXPECT_TRUE(client.WaitClosed(3s));
  }
  TlsTestClient tls;
  ASSERT_TRUE(tls.Connect(server_->port())) << tls.error();
  EXPECT_TRUE(tls.Get("/fast"));
}

TEST_F(TlsServerTest, ClientThatNeverStartsTheHandshakeIsCutOffByRequestTimeout) {
  ServerOptions options;
  options.request_timeout = 1s;
  options.idle_timeout = 60s;  // the handshake is bounded by request_timeout, not this
  StartServer(options);
  TestConnection silent(server_->port());
  ASSERT_TRUE(silent.connected());
  const auto start = Clock::now();
  EXPECT_TRUE(silent.WaitClosed(10s));
  EXPECT_GE(Clock::now() - start, 900ms);
}

// A client trickling its handshake one byte at a time does not extend the deadline: it runs
// from the accept, not from the last byte.
TEST_F(TlsServerTest, TricklingHandshakeIsCutOffByRequestTimeout) {
  ServerOptions options;
  options.request_timeout = 1s;
  StartServer(options);
  TestConnection slow(server_->port());
  ASSERT_TRUE(slow.Send(std::string("\x16\x03\x01\x02\x00", 5)));  // a 512-byte record follows
  bool closed = false;
  const auto deadline = Clock::now() + 15s;
  while (!closed && Clock::now() < deadline) {
    if (!slow.Send(std::string(1, '\x01'))) break;  // the server is gone: a reset
    closed = slow.WaitClosed(200ms);
  }
  EXPECT_LT(Clock::now(), deadline) << "still open after 15 s of trickling";
}

TEST_F(TlsServerTest, IdleTimeoutStillClosesAKeptAliveTlsConnection) {
  ServerOptions options;
  options.idle_timeout = 1s;
  StartServer(options);
  TlsTestClient client;
  ASSERT_TRUE(client.Connect(server_->port())) << client.error();
  ASSERT_TRUE(client.Get("/fast"));
  const auto start = Clock::now();
  EXPECT_TRUE(client.WaitClosed(5s));
  EXPECT_GE(Clock::now() - start, 900ms);
}

TEST_F(TlsServerTest, ConnectionsStillInTheirHandshakeCountAgainstThePerAddressLimit) {
  ServerOptions options;
  options.max_connections_per_address = 2;
  options.request_timeout = 60s;
  StartServer(options);
  TestConnection first(server_->port());
  TestConnection second(server_->port());
  ASSERT_TRUE(first.Send(std::string("\x16", 1)));
  ASSERT_TRUE(second.Send(std::string("\x16", 1)));
  TestConnection third(server_->port());
  EXPECT_TRUE(third.WaitClosed(3s));
  TlsTestClient fourth;  // a real TLS client from the same address is refused the same way
  EXPECT_FALSE(fourth.Connect(server_->port()));
}

TEST_F(TlsServerTest, StopClosesConnectionsInTheirHandshakeWithoutWaitingForTheGrace) {
  ServerOptions options;
  options.request_timeout = 60s;
  StartServer(options);
  TestConnection pending(server_->port());
  ASSERT_TRUE(pending.Send(std::string("\x16\x03\x01", 3)));
  std::this_thread::sleep_for(100ms);  // accepted (a later one is closed by Stop either way)
  const auto start = Clock::now();
  server_->Stop(10s);
  EXPECT_LT(Clock::now() - start, 5s);
  EXPECT_TRUE(pending.WaitClosed(1s));
}

}  // namespace
}  // namespace pictor::http
