// The HttpClient against scripted local servers over TLS (certificate verification, the
// handshake's bound) and through proxies (absolute form, CONNECT tunnels, no_proxy).
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "net/http_client.h"
#include "refusing_port.h"
#include "test_certificates.h"
#include "test_http_server.h"

namespace pictor::net {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using testing::RecordedRequest;
using testing::RefusingPort;
using testing::ScriptedReply;
using testing::TestCertificateAuthority;
using testing::TestHttpServer;
using testing::TlsIdentity;

ScriptedReply Ok(std::string body) { return {200, {{"X-Amzn-RequestId", "rid-1"}}, body}; }

std::string Port(int port) { return std::to_string(port); }

// Sets environment variables for one test and restores them after it. The client reads proxies
// when it is made and CA certificates at its first https call: make it after setting these.
class ScopedEnv {
 public:
  ScopedEnv() {
    for (const char* name : {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "no_proxy",
                             "NO_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR"}) {
      Unset(name);
    }
  }
  ~ScopedEnv() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      if (it->second) {
        ::setenv(it->first.c_str(), it->second->c_str(), 1);
      } else {
        ::unsetenv(it->first.c_str());
      }
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

  void Set(const char* name, const std::string& value) {
    Save(name);
    ::setenv(name, value.c_str(), 1);
  }
  void Unset(const char* name) {
    Save(name);
    ::unsetenv(name);
  }

 private:
  void Save(const char* name) {
    const char* value = std::getenv(name);
    saved_.emplace_back(name, value ? std::optional<std::string>(value) : std::nullopt);
  }
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

// A PEM file under the temporary directory, removed with the object.
class TempPemFile {
 public:
  explicit TempPemFile(const std::string& pem) {
    static std::atomic<int> counter{0};
    path_ =
        std::filesystem::temp_directory_path() / ("pictor-http-test-" + std::to_string(::getpid()) +
                                                  "-" + std::to_string(counter++) + ".pem");
    std::ofstream(path_) << pem;
  }
  ~TempPemFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  TempPemFile(const TempPemFile&) = delete;
  TempPemFile& operator=(const TempPemFile&) = delete;
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// ---- TLS ------------------------------------------------------------------------------------

class HttpClientTlsTest : public ::testing::Test {
 protected:
  TestCertificateAuthority ca_;
  TempPemFile ca_file_{ca_.certificate_pem()};
  ScopedEnv env_;
};

TEST_F(HttpClientTlsTest, VerifiesTheServerAgainstTheTrustedCa) {
  TlsIdentity identity = ca_.Issue({"DNS:localhost", "IP:127.0.0.1"});
  TestHttpServer server([](const RecordedRequest& r) { return Ok("secure " + r.target); },
                        &identity);
  env_.Set("SSL_CERT_FILE", ca_file_.path());
  auto client = NewHttpClient();

  Result<HttpReply> by_address = client->Perform({.url = server.url() + "/a"});
  ASSERT_TRUE(by_address.ok()) << by_address.status().ToString();
  EXPECT_EQ(by_address->body, "secure /a");
  ASSERT_TRUE(client->Perform({.url = server.url() + "/b"}).ok());
  Result<HttpReply> by_name =
      client->Perform({.url = "https://localhost:" + Port(server.port()) + "/c"});
  ASSERT_TRUE(by_name.ok()) << by_name.status().ToString();
  EXPECT_EQ(by_name->body, "secure /c");
  EXPECT_EQ(server.requests().at(2).Header("Host"), "localhost:" + Port(server.port()));
  EXPECT_EQ(server.tls_handshakes(), 2);  // /a and /b shared one connection
}

TEST_F(HttpClientTlsTest, NameMismatchIsATlsError) {
  TlsIdentity identity = ca_.Issue({"DNS:other.example.test", "IP:127.0.0.2"});
  TestHttpServer server([](const RecordedRequest&) { return Ok("no"); }, &identity);
  env_.Set("SSL_CERT_FILE", ca_file_.path());
  auto client = NewHttpClient();
  for (const std::string& url : {server.url() + "/", "https://localhost:" + Port(server.port())}) {
    Result<HttpReply> reply = client->Perform({.url = url});
    ASSERT_FALSE(reply.ok()) << url;
    EXPECT_EQ(reply.status().code(), StatusCode::kUnavailable);
    EXPECT_TRUE(reply.status().message().starts_with("TLS error: ")) << reply.status().message();
  }
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(HttpClientTlsTest, UntrustedCaIsATlsError) {
  TlsIdentity identity = ca_.Issue({"IP:127.0.0.1"});
  TestHttpServer server([](const RecordedRequest&) { return Ok("no"); }, &identity);
  TestCertificateAuthority other_ca;
  TempPemFile other_file(other_ca.certificate_pem());
  env_.Set("SSL_CERT_FILE", other_file.path());
  auto client = NewHttpClient();
  Result<HttpReply> reply = client->Perform({.url = server.url() + "/"});
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(reply.status().message().starts_with("TLS error: ")) << reply.status().message();
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(HttpClientTlsTest, HandshakeIsBoundByTheConnectTimeout) {
  // A plain HTTP server waits for a request line that a TLS client never sends.
  TestHttpServer server([](const RecordedRequest&) { return Ok("plain"); });
  env_.Set("SSL_CERT_FILE", ca_file_.path());
  auto client = NewHttpClient();
  auto start = steady_clock::now();
  Result<HttpReply> reply =
      client->Perform({.url = "https://127.0.0.1:" + Port(server.port()) + "/",
                       .connect_timeout = milliseconds(300),
                       .total_timeout = milliseconds(20000)});
  auto elapsed = steady_clock::now() - start;
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kDeadlineExceeded) << reply.status().ToString();
  EXPECT_GE(elapsed, milliseconds(250));
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

// ---- Proxies --------------------------------------------------------------------------------

class HttpClientProxyTest : public ::testing::Test {
 protected:
  ScopedEnv env_;
  TestHttpServer proxy_{[](const RecordedRequest&) { return Ok("from the proxy"); }};
};

TEST_F(HttpClientProxyTest, HttpGoesThroughTheProxyInAbsoluteForm) {
  env_.Set("http_proxy", "http://user:p%40ss@127.0.0.1:" + Port(proxy_.port()));
  auto client = NewHttpClient();
  Result<HttpReply> reply = client->Perform(
      {.url = "http://origin.example.test:8080/path?q=1", .headers = {{"X-Signed", "s"}}});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->body, "from the proxy");
  ASSERT_EQ(proxy_.requests().size(), 1u);
  EXPECT_EQ(proxy_.requests()[0].head,
            "GET http://origin.example.test:8080/path?q=1 HTTP/1.1\r\n"
            "Host: origin.example.test:8080\r\nX-Signed: s\r\n"
            "Proxy-Authorization: Basic dXNlcjpwQHNz\r\n\r\n");
}

TEST_F(HttpClientProxyTest, HttpsGoesThroughAConnectTunnel) {
  TestCertificateAuthority ca;
  TempPemFile ca_file(ca.certificate_pem());
  TlsIdentity identity = ca.Issue({"DNS:origin.example.test"});
  TestHttpServer origin([](const RecordedRequest&) { return Ok("through the tunnel"); }, &identity);
  TestHttpServer tunnel(
      [&](const RecordedRequest&) { return ScriptedReply{.tunnel_port = origin.port()}; });
  env_.Set("HTTPS_PROXY", "127.0.0.1:" + Port(tunnel.port()));  // no scheme: http
  env_.Set("http_proxy", "http://127.0.0.1:" + Port(proxy_.port()));
  env_.Set("SSL_CERT_FILE", ca_file.path());
  auto client = NewHttpClient();

  const std::string url = "https://origin.example.test:" + Port(origin.port());
  Result<HttpReply> first = client->Perform({.url = url + "/one"});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->body, "through the tunnel");
  ASSERT_TRUE(client->Perform({.url = url + "/two"}).ok());

  ASSERT_EQ(tunnel.requests().size(), 1u);  // the second call reused the tunnel
  EXPECT_EQ(tunnel.requests()[0].method, "CONNECT");
  EXPECT_EQ(tunnel.requests()[0].target, "origin.example.test:" + Port(origin.port()));
  ASSERT_EQ(origin.requests().size(), 2u);
  EXPECT_EQ(origin.requests()[0].target, "/one");
  EXPECT_EQ(origin.requests()[0].Header("Host"), "origin.example.test:" + Port(origin.port()));
  EXPECT_TRUE(proxy_.requests().empty());  // http_proxy is for http URLs only
}

TEST_F(HttpClientProxyTest, LoopbackIsNeverProxied) {
  TestHttpServer origin([](const RecordedRequest&) { return Ok("direct"); });
  env_.Set("http_proxy", "http://127.0.0.1:" + Port(proxy_.port()));
  auto client = NewHttpClient();
  Result<HttpReply> reply = client->Perform({.url = origin.url() + "/"});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->body, "direct");
  EXPECT_TRUE(proxy_.requests().empty());
}

TEST_F(HttpClientProxyTest, NoProxyHostsAreReachedDirectly) {
  RefusingPort refusing;
  env_.Set("http_proxy", "http://127.0.0.1:" + Port(proxy_.port()));
  env_.Set("NO_PROXY", " 127.0.0.2 , .direct.example.test");
  auto client = NewHttpClient();
  const std::string port = Port(refusing.port);
  // Direct: refused, and the proxy never sees it.
  Result<HttpReply> direct = client->Perform({.url = "http://127.0.0.2:" + port + "/"});
  ASSERT_FALSE(direct.ok());
  EXPECT_TRUE(proxy_.requests().empty());
  // Proxied: another address, and a name that only ends with the same letters.
  EXPECT_TRUE(client->Perform({.url = "http://127.0.0.3:" + port + "/"}).ok());
  EXPECT_TRUE(client->Perform({.url = "http://notdirect.example.test/"}).ok());
  ASSERT_EQ(proxy_.requests().size(), 2u);
  EXPECT_EQ(proxy_.requests()[0].target, "http://127.0.0.3:" + port + "/");
  EXPECT_EQ(proxy_.requests()[1].target, "http://notdirect.example.test/");
}

TEST_F(HttpClientProxyTest, NoProxyStarReachesEverythingDirectly) {
  RefusingPort refusing;
  env_.Set("http_proxy", "http://127.0.0.1:" + Port(proxy_.port()));
  env_.Set("no_proxy", "*");
  auto client = NewHttpClient();
  EXPECT_FALSE(client->Perform({.url = "http://127.0.0.2:" + Port(refusing.port) + "/"}).ok());
  EXPECT_TRUE(proxy_.requests().empty());
}

TEST_F(HttpClientProxyTest, UnsupportedProxySchemeIsInvalidArgument) {
  env_.Set("https_proxy", "socks5://127.0.0.1:" + Port(proxy_.port()));
  auto client = NewHttpClient();
  Result<HttpReply> reply = client->Perform({.url = "https://origin.example.test/"});
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kInvalidArgument) << reply.status().ToString();
  EXPECT_TRUE(proxy_.requests().empty());
}

}  // namespace
}  // namespace pictor::net
