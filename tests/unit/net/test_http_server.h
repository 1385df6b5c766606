// A tiny scripted HTTP/1.1 server for the AWS client tests: POSIX sockets on 127.0.0.1, port 0,
// one thread per connection, keep-alive, requests with Content-Length bodies. A reply may be
// chunked, sent as raw bytes, followed by a close, withheld, or (for CONNECT) a tunnel; with a
// TLS identity the server speaks HTTPS.
//
// Thread-safe: the accessors may be called while requests are being served.
#ifndef PICTOR_TESTS_UNIT_NET_TEST_HTTP_SERVER_H_
#define PICTOR_TESTS_UNIT_NET_TEST_HTTP_SERVER_H_

#include <openssl/types.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace pictor::net::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct RecordedRequest {
  std::string method;
  std::string target;  // path and query as sent (absolute form through a proxy)
  Headers headers;
  std::string body;
  std::string head;  // the request line and header bytes exactly as received, up to the blank line
  std::string Header(std::string_view name) const;  // case-insensitive, "" when absent
};

struct ScriptedReply {
  int status = 200;
  Headers headers{};
  std::string body{};
  bool hang = false;                 // never answer; hold the connection until the server stops
  bool chunked = false;              // send `body` in chunks instead of with Content-Length
  std::optional<std::string> raw{};  // send these bytes instead of a formatted reply
  bool close = false;                // close the connection after the reply
  int tunnel_port = 0;  // to CONNECT: answer 200 and relay bytes to 127.0.0.1:tunnel_port
};

// A server certificate and its private key, both PEM.
struct TlsIdentity {
  std::string certificate_pem;
  std::string private_key_pem;
};

class TestHttpServer {
 public:
  using Handler = std::function<ScriptedReply(const RecordedRequest&)>;

  // With `tls`, every connection starts with a TLS handshake.
  explicit TestHttpServer(Handler handler, const TlsIdentity* tls = nullptr);
  ~TestHttpServer();
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  int port() const { return port_; }
  std::string url() const {
    return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
  }
  int accepted_connections() const { return accepted_.load(); }
  int tls_handshakes() const { return tls_handshakes_.load(); }
  std::vector<RecordedRequest> requests() const;

 private:
  void AcceptLoop();
  void Serve(int fd);

  Handler handler_;
  SSL_CTX* tls_ = nullptr;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<int> accepted_{0};
  std::atomic<int> tls_handshakes_{0};
  std::thread acceptor_;

  mutable std::mutex mutex_;  // guards everything below
  std::condition_variable stopping_cv_;
  bool stopping_ = false;
  std::vector<int> connection_fds_;
  std::vector<std::thread> connection_threads_;
  std::vector<RecordedRequest> requests_;
};

// A handler answering with `script`'s replies in order, then 200 "done" to every later request.
TestHttpServer::Handler ScriptedHandler(std::vector<ScriptedReply> script);

}  // namespace pictor::net::testing

#endif  // PICTOR_TESTS_UNIT_NET_TEST_HTTP_SERVER_H_
