#include "tls_test_support.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdlib.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

namespace pictor::http::testing {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace bhttp = boost::beast::http;
using error_code = boost::system::error_code;
using namespace std::chrono_literals;

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs the io_context until `done` or `timeout`; on timeout cancels what is pending.
bool RunUntil(asio::io_context& io, const bool& done, std::chrono::milliseconds timeout,
              asio::ip::tcp::socket& socket) {
  io.restart();
  io.run_for(timeout);
  if (done) return true;
  error_code ignored;
  socket.close(ignored);
  io.restart();
  io.run();
  return false;
}

std::string OpenSslWords(const error_code& ec) {
  std::string words = ec.message();
  if (ec.category() == asio::error::get_ssl_category()) {
    char text[256];
    ERR_error_string_n(static_cast<unsigned long>(ec.value()), text, sizeof text);
    words += std::string(" (") + text + ")";
  }
  return words;
}

}  // namespace

ScratchDir::ScratchDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/pictor-tls-XXXXXX";
  if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
}

bool RunQuiet(const std::string& command, const std::string& log) {
  return std::system((command + " >" + Quote(log) + " 2>&1").c_str()) == 0;
}

bool MakeCertificate(const std::string& cert, const std::string& key,
                     const std::string& common_name) {
  return RunQuiet(
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1"
      " -subj " +
          Quote("/CN=" + common_name) +
          " -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " + Quote(key) + " -out " +
          Quote(cert),
      cert + ".log");
}

std::string OpenSslFingerprint(const std::string& cert) {
  const std::string out = cert + ".fingerprint";
  if (!RunQuiet("openssl x509 -noout -fingerprint -sha256 -in " + Quote(cert), out)) return {};
  std::string text = ReadWholeFile(out);
  size_t equals = text.find('=');
  if (equals == std::string::npos) return {};
  text = text.substr(equals + 1);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

bool ReplaceFile(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".new";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) return false;
  }
  return std::rename(temporary.c_str(), path.c_str()) == 0;
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

namespace {

// The stream's SSL object copies the context's settings when it is made, so they are all set
// before.
ssl::context ClientContext(const TlsClientOptions& options) {
  ssl::context context(ssl::context::tls_client);
  SSL_CTX* ctx = context.native_handle();
  if (options.allow_weak) SSL_CTX_set_security_level(ctx, 0);
  if (options.min_version != 0) SSL_CTX_set_min_proto_version(ctx, options.min_version);
  if (options.max_version != 0) SSL_CTX_set_max_proto_version(ctx, options.max_version);
  if (!options.ciphers.empty()) SSL_CTX_set_cipher_list(ctx, options.ciphers.c_str());
  static constexpr unsigned char kAlpn[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(ctx, kAlpn, sizeof kAlpn);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  return context;
}

}  // namespace

TlsTestClient::TlsTestClient(const TlsClientOptions& options)
    : context_(ClientContext(options)), stream_(io_, context_) {}

bool TlsTestClient::Connect(uint16_t port) {
  error_code ec;
  stream_.lowest_layer().connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) {
    error_ = "connect: " + ec.message();
    return false;
  }
  bool done = false;
  stream_.async_handshake(ssl::stream_base::client, [&](error_code handshake_ec) {
    ec = handshake_ec;
    done = true;
  });
  if (!RunUntil(io_, done, 5s, stream_.next_layer())) {
    error_ = "handshake timed out";
    return false;
  }
  if (ec) {
    error_ = "handshake: " + OpenSslWords(ec);
    return false;
  }
  return true;
}

std::string TlsTestClient::Protocol() { return SSL_get_version(stream_.native_handle()); }

std::string TlsTestClient::Cipher() {
  const char* name = SSL_get_cipher_name(stream_.native_handle());
  return name != nullptr ? name : "";
}

std::string TlsTestClient::PeerFingerprint() {
  X509* peer = SSL_get1_peer_certificate(stream_.native_handle());
  if (peer == nullptr) return {};
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  X509_digest(peer, EVP_sha256(), digest, &length);
  X509_free(peer);
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    char hex[4];
    std::snprintf(hex, sizeof hex, i == 0 ? "%02X" : ":%02X", digest[i]);
    out += hex;
  }
  return out;
}

std::string TlsTestClient::Alpn() {
  const unsigned char* data = nullptr;
  unsigned int length = 0;
  SSL_get0_alpn_selected(stream_.native_handle(), &data, &length);
  return std::string(reinterpret_cast<const char*>(data), length);
}

std::optional<ClientResponse> TlsTestClient::Get(const std::string& path) {
  const std::string request = GetRequest(path);
  bool done = false;
  error_code ec;
  asio::async_write(stream_, asio::buffer(request), [&](error_code write_ec, size_t) {
    ec = write_ec;
    done = true;
  });
  if (!RunUntil(io_, done, 5s, stream_.next_layer()) || ec) return std::nullopt;
  boost::beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> response;
  done = false;
  bhttp::async_read(stream_, buffer, response, [&](error_code read_ec, size_t) {
    ec = read_ec;
    done = true;
  });
  if (!RunUntil(io_, done, 5s, stream_.next_layer()) || ec) return std::nullopt;
  ClientResponse out;
  out.status = static_cast<int>(response.result_int());
  for (const auto& field : response) {
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  out.body = std::move(response.body());
  return out;
}

bool TlsTestClient::WaitClosed(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) return false;
    char byte[256];
    bool done = false;
    error_code ec;
    stream_.async_read_some(asio::buffer(byte), [&](error_code read_ec, size_t) {
      ec = read_ec;
      done = true;
    });
    if (!RunUntil(io_, done, left, stream_.next_layer())) return false;
    if (ec) return true;  // EOF, close_notify or reset: closed either way
  }
}

}  // namespace pictor::http::testing
