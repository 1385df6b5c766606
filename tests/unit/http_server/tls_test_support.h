// What the TLS tests of the server share: certificates made by the `openssl` command in a
// temporary directory, and a small blocking TLS client (Asio's SSL stream over OpenSSL, none of
// the server's code) that reports what it negotiated and which certificate it was shown.
#ifndef PICTOR_TESTS_UNIT_HTTP_SERVER_TLS_TEST_SUPPORT_H_
#define PICTOR_TESTS_UNIT_HTTP_SERVER_TLS_TEST_SUPPORT_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "test_client.h"

namespace pictor::http::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Runs a shell command with its output sent to `log`; true when it exits 0.
bool RunQuiet(const std::string& command, const std::string& log);

// Writes a self-signed P-256 certificate for CN=`common_name` (SAN IP:127.0.0.1, DNS:localhost)
// to `cert` and its unencrypted key to `key`, valid for a day, with `openssl req`.
bool MakeCertificate(const std::string& cert, const std::string& key,
                     const std::string& common_name);

// The SHA-256 fingerprint of the PEM certificate in `cert` as `openssl x509 -fingerprint`
// prints it ("AB:CD:..."); empty when openssl fails.
std::string OpenSslFingerprint(const std::string& cert);

// Writes `text` to `path` through a temporary file and a rename, as a deployment tool would.
bool ReplaceFile(const std::string& path, const std::string& text);
std::string ReadWholeFile(const std::string& path);

// What a client may offer. Defaults: TLS 1.2 and 1.3, OpenSSL's default ciphers, no checking
// of the server's certificate (the tests check its fingerprint instead).
struct TlsClientOptions {
  int min_version = 0;      // TLS1_2_VERSION...; 0 = OpenSSL's default
  int max_version = 0;      // 0 = highest
  std::string ciphers;      // TLS 1.2 cipher list; "" = default
  bool allow_weak = false;  // security level 0, so the client itself can offer TLS 1.1 or CBC
};

// One TLS connection to 127.0.0.1. Not thread-safe. Every read has a 5 s limit.
class TlsTestClient {
 public:
  explicit TlsTestClient(const TlsClientOptions& options = {});
  // Connects and handshakes; on failure returns false and error() says why (OpenSSL's words,
  // for instance "tlsv1 alert protocol version" when the server refused the protocol).
  bool Connect(uint16_t port);
  const std::string& error() const { return error_; }

  std::string Protocol();         // "TLSv1.3"
  std::string Cipher();           // "TLS_AES_128_GCM_SHA256"
  std::string PeerFingerprint();  // SHA-256 of the server's certificate, "AB:CD:..."
  std::string Alpn();             // the protocol ALPN chose, "" when none

  // Sends "GET path" (keep-alive) and reads the response; nullopt on any error.
  std::optional<ClientResponse> Get(const std::string& path);
  // True when the server closes the connection within `timeout`.
  bool WaitClosed(std::chrono::milliseconds timeout);

 private:
  boost::asio::io_context io_;
  boost::asio::ssl::context context_;
  boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream_;
  std::string error_;
  std::string pending_;
};

}  // namespace pictor::http::testing

#endif  // PICTOR_TESTS_UNIT_HTTP_SERVER_TLS_TEST_SUPPORT_H_
