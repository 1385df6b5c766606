#include "test_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <stdexcept>

#include "core/ascii.h"

namespace pictor::net::testing {
namespace {

bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// One accepted connection, plain or TLS.
class Channel {
 public:
  Channel(int fd, SSL* ssl) : fd_(fd), ssl_(ssl) {}
  ~Channel() { SSL_free(ssl_); }
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  int fd() const { return fd_; }

  // Bytes received into `buffer`; false on EOF or error.
  bool ReadMore(std::string& buffer) {
    char chunk[16384];
    int n = ssl_ != nullptr ? SSL_read(ssl_, chunk, sizeof chunk)
                            : static_cast<int>(::recv(fd_, chunk, sizeof chunk, 0));
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<size_t>(n));
    return true;
  }

  bool Write(std::string_view data) {
    if (ssl_ == nullptr) return SendAll(fd_, data);
    while (!data.empty()) {
      int n =
          SSL_write(ssl_, data.data(), static_cast<int>(std::min<size_t>(data.size(), 1 << 20)));
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

 private:
  int fd_;
  SSL* ssl_;
};

// Reads one request, with `buffer` holding bytes already received. False on EOF.
bool ReadRequest(Channel& channel, std::string& buffer, RecordedRequest& request) {
  size_t header_end;
  while ((header_end = buffer.find("\r\n\r\n")) == std::string::npos) {
    if (!channel.ReadMore(buffer)) return false;
  }
  request.head = buffer.substr(0, header_end + 4);
  std::string_view head(buffer.data(), header_end);
  size_t line_end = head.find("\r\n");
  std::string_view request_line = head.substr(0, line_end);
  size_t sp1 = request_line.find(' ');
  size_t sp2 = request_line.find(' ', sp1 + 1);
  request.method = std::string(request_line.substr(0, sp1));
  request.target = std::string(request_line.substr(sp1 + 1, sp2 - sp1 - 1));
  size_t content_length = 0;
  while (line_end != std::string_view::npos && line_end < head.size()) {
    size_t next = head.find("\r\n", line_end + 2);
    std::string_view line =
        head.substr(line_end + 2,
                    next == std::string_view::npos ? std::string_view::npos : next - line_end - 2);
    size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      request.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
      if (EqualsIgnoreCase(line.substr(0, colon), "content-length")) {
        content_length = std::strtoul(std::string(value).c_str(), nullptr, 10);
      }
    }
    line_end = next;
  }
  buffer.erase(0, header_end + 4);
  while (buffer.size() < content_length) {
    if (!channel.ReadMore(buffer)) return false;
  }
  request.body = buffer.substr(0, content_length);
  buffer.erase(0, content_length);
  return true;
}

std::string FormatReply(const ScriptedReply& reply, bool head_request) {
  if (reply.raw) return *reply.raw;
  std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " Scripted\r\n";
  out += reply.chunked ? "Transfer-Encoding: chunked\r\n"
                       : "Content-Length: " + std::to_string(reply.body.size()) + "\r\n";
  for (const auto& [name, value] : reply.headers) out += name + ": " + value + "\r\n";
  out += "\r\n";
  if (head_request) return out;
  if (!reply.chunked) return out + reply.body;
  // Three chunks at most, the last one short, then the terminating chunk.
  const size_t piece = std::max<size_t>(1, (reply.body.size() + 2) / 3);
  char size[32];
  for (size_t at = 0; at < reply.body.size(); at += piece) {
    std::string_view chunk = std::string_view(reply.body).substr(at, piece);
    std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
    out += size;
    out += chunk;
    out += "\r\n";
  }
  return out + "0\r\n\r\n";
}

// Relays bytes between `client` and 127.0.0.1:`port` until either side closes.
void Relay(int client, int port, std::string_view early_bytes) {
  int upstream = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(upstream, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      !SendAll(client, "HTTP/1.1 200 Connection established\r\n\r\n") ||
      !SendAll(upstream, early_bytes)) {
    ::close(upstream);
    return;
  }
  pollfd fds[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
  char chunk[16384];
  for (bool open = true; open && ::poll(fds, 2, -1) > 0;) {
    for (int i = 0; i < 2 && open; ++i) {
      if (fds[i].revents == 0) continue;
      ssize_t n = ::recv(fds[i].fd, chunk, sizeof chunk, 0);
      open = n > 0 && SendAll(fds[1 - i].fd, std::string_view(chunk, static_cast<size_t>(n)));
    }
  }
  ::shutdown(client, SHUT_RDWR);
  ::close(upstream);
}

}  // namespace

std::string RecordedRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

TestHttpServer::TestHttpServer(Handler handler, const TlsIdentity* tls)
    : handler_(std::move(handler)) {
  if (tls != nullptr) {
    // OpenSSL writes to the socket with write(): a client that rejects our certificate and
    // closes would otherwise end the test process with SIGPIPE.
    ::signal(SIGPIPE, SIG_IGN);
    tls_ = SSL_CTX_new(TLS_server_method());
    std::unique_ptr<BIO, decltype(&BIO_free)> cert(
        BIO_new_mem_buf(tls->certificate_pem.data(), static_cast<int>(tls->certificate_pem.size())),
        &BIO_free);
    std::unique_ptr<BIO, decltype(&BIO_free)> key(
        BIO_new_mem_buf(tls->private_key_pem.data(), static_cast<int>(tls->private_key_pem.size())),
        &BIO_free);
    X509* x509 = PEM_read_bio_X509(cert.get(), nullptr, nullptr, nullptr);
    EVP_PKEY* pkey = PEM_read_bio_PrivateKey(key.get(), nullptr, nullptr, nullptr);
    bool ok = x509 != nullptr && pkey != nullptr && SSL_CTX_use_certificate(tls_, x509) == 1 &&
              SSL_CTX_use_PrivateKey(tls_, pkey) == 1;
    X509_free(x509);
    EVP_PKEY_free(pkey);
    if (!ok) throw std::runtime_error("test server cannot use its TLS identity");
  }
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 64) != 0) {
    throw std::runtime_error("test server cannot listen");
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

TestHttpServer::~TestHttpServer() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    for (int fd : connection_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  stopping_cv_.notify_all();
  ::shutdown(listen_fd_, SHUT_RDWR);
  acceptor_.join();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    threads.swap(connection_threads_);
  }
  for (auto& thread : threads) thread.join();
  ::close(listen_fd_);
  for (int fd : connection_fds_) ::close(fd);
  SSL_CTX_free(tls_);
}

std::vector<RecordedRequest> TestHttpServer::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

void TestHttpServer::AcceptLoop() {
  for (;;) {
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) return;
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) {
      ::close(fd);
      return;
    }
    accepted_.fetch_add(1);
    connection_fds_.push_back(fd);
    connection_threads_.emplace_back([this, fd] { Serve(fd); });
  }
}

void TestHttpServer::Serve(int fd) {
  SSL* ssl = nullptr;
  if (tls_ != nullptr) {
    ssl = SSL_new(tls_);
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) != 1) {  // the client rejected us, or went away
      SSL_free(ssl);
      ERR_clear_error();
      return;
    }
    tls_handshakes_.fetch_add(1);
  }
  Channel channel(fd, ssl);
  std::string buffer;
  for (;;) {
    RecordedRequest request;
    if (!ReadRequest(channel, buffer, request)) break;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      requests_.push_back(request);
    }
    ScriptedReply reply = handler_(request);
    if (reply.hang) {
      std::unique_lock<std::mutex> lock(mutex_);
      stopping_cv_.wait(lock, [this] { return stopping_; });
      break;
    }
    if (reply.tunnel_port != 0 && request.method == "CONNECT") {
      Relay(fd, reply.tunnel_port, buffer);
      break;
    }
    if (!channel.Write(FormatReply(reply, request.method == "HEAD")) || reply.close) {
      ::shutdown(fd, SHUT_RDWR);
      break;
    }
  }
  ERR_clear_error();  // OpenSSL's error queue is per thread: leave nothing behind
}

TestHttpServer::Handler ScriptedHandler(std::vector<ScriptedReply> script) {
  auto next = std::make_shared<std::atomic<size_t>>(0);
  return [script = std::move(script), next](const RecordedRequest&) {
    const size_t i = next->fetch_add(1);
    return i < script.size() ? script[i] : ScriptedReply{200, {}, "done"};
  };
}

}  // namespace pictor::net::testing
