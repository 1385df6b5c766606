#include "notify/smtp/smtp_connection.h"

#include <fmt/format.h>
#include <netdb.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>

namespace pictor::notify {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

// A reply longer than this is not a mail server talking.
constexpr size_t kMaxReplyBytes = 64 * 1024;
constexpr size_t kMaxReplyText = 400;

// getaddrinfo cannot be cancelled and asio's resolver waits for it when torn down, so a name is
// resolved on a thread of its own that the caller may stop waiting for at the deadline. The
// thread and the caller share this; whoever finishes last frees it.
struct Resolution {
  std::mutex mutex;  // guards everything below
  std::condition_variable finished;
  bool done = false;
  int error = 0;  // getaddrinfo's
  std::vector<tcp::endpoint> endpoints;
};

void ResolveInto(const std::shared_ptr<Resolution>& r, const std::string& host, uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG;
  addrinfo* list = nullptr;
  const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &list);
  std::vector<tcp::endpoint> endpoints;
  for (const addrinfo* ai = list; rc == 0 && ai != nullptr; ai = ai->ai_next) {
    tcp::endpoint endpoint;
    if (ai->ai_addrlen > endpoint.capacity()) continue;
    std::memcpy(endpoint.data(), ai->ai_addr, ai->ai_addrlen);
    endpoint.resize(ai->ai_addrlen);
    endpoint.port(port);
    endpoints.push_back(endpoint);
  }
  if (list != nullptr) freeaddrinfo(list);
  std::lock_guard<std::mutex> lock(r->mutex);
  r->done = true;
  r->error = rc;
  r->endpoints = std::move(endpoints);
  r->finished.notify_all();
}

Result<std::vector<tcp::endpoint>> Resolve(const std::string& host, uint16_t port,
                                           SmtpConnection::Clock::time_point deadline) {
  error_code ec;
  const asio::ip::address literal = asio::ip::make_address(host, ec);
  if (!ec) return std::vector<tcp::endpoint>{tcp::endpoint(literal, port)};
  auto r = std::make_shared<Resolution>();
  std::thread([r, host, port] { ResolveInto(r, host, port); }).detach();
  std::unique_lock<std::mutex> lock(r->mutex);
  if (!r->finished.wait_until(lock, deadline, [&r] { return r->done; })) {
    return Status::DeadlineExceeded(fmt::format("resolving {} took longer than the timeout", host));
  }
  if (r->error != 0) {
    return Status::Unavailable(fmt::format("cannot resolve {}: {}", host, gai_strerror(r->error)));
  }
  if (r->endpoints.empty()) return Status::Unavailable(fmt::format("{} has no address", host));
  return std::move(r->endpoints);
}

void ReplaceAll(std::string& text, const std::string& secret, std::string_view with) {
  if (secret.empty()) return;
  for (size_t pos = text.find(secret); pos != std::string::npos;
       pos = text.find(secret, pos + with.size())) {
    text.replace(pos, secret.size(), with);
  }
}

}  // namespace

std::string SmtpReply::Text() const {
  std::string out;
  for (const auto& line : lines) {
    if (!out.empty()) out += ' ';
    for (char c : line) {
      const auto u = static_cast<unsigned char>(c);
      out += (u < 0x20 || u == 0x7f) ? ' ' : c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out.size() > kMaxReplyText) out = out.substr(0, kMaxReplyText) + "...";
  return out;
}

bool ParseReplyLine(std::string_view line, int& code, std::string& text, bool& more) {
  if (line.size() < 3) return false;
  for (size_t i = 0; i < 3; ++i) {
    if (line[i] < '0' || line[i] > '9') return false;
  }
  code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (code < 100 || code > 599) return false;
  if (line.size() == 3) {
    more = false;
    text.clear();
    return true;
  }
  if (line[3] != ' ' && line[3] != '-') return false;
  more = line[3] == '-';
  text = std::string(line.substr(4));
  return true;
}

bool IsLoopback(const asio::ip::address& address) {
  if (address.is_v4()) return address.to_v4().is_loopback();
  const asio::ip::address_v6 v6 = address.to_v6();
  if (v6.is_loopback()) return true;
  return v6.is_v4_mapped() && asio::ip::make_address_v4(asio::ip::v4_mapped, v6).is_loopback();
}

SmtpConnection::SmtpConnection(std::chrono::milliseconds timeout)
    : deadline_(Clock::now() + timeout), budget_(timeout), socket_(io_) {}

SmtpConnection::~SmtpConnection() {
  error_code ignored;
  if (tls_) {
    tls_->lowest_layer().close(ignored);
  } else {
    socket_.close(ignored);
  }
}

template <typename Initiate>
error_code SmtpConnection::Await(Initiate&& initiate) {
  std::optional<error_code> result;
  initiate([&result](const error_code& ec, auto&&...) { result = ec; });
  io_.restart();
  io_.run_until(deadline_);
  if (result) return *result;
  // Closing the socket makes the pending operation complete with operation_aborted; run it so
  // that no handler outlives `result`.
  error_code ignored;
  if (tls_) {
    tls_->lowest_layer().close(ignored);
  } else {
    socket_.close(ignored);
  }
  io_.restart();
  io_.run();
  return asio::error::timed_out;
}

Status SmtpConnection::TransportError(std::string_view doing, const error_code& ec) const {
  if (ec == asio::error::timed_out) {
    return Status::DeadlineExceeded(
        fmt::format("no answer within the {} ms timeout while {}", budget_.count(), doing));
  }
  if (ec == asio::error::eof || ec == ssl::error::stream_truncated ||
      ec == asio::error::connection_reset) {
    return Status::Unavailable(fmt::format("the server closed the connection while {}", doing));
  }
  return Status::Unavailable(fmt::format("{}: {}", doing, ec.message()));
}

Status SmtpConnection::Connect(const std::string& host, uint16_t port) {
  auto endpoints = Resolve(host, port, deadline_);
  if (!endpoints.ok()) return endpoints.status();
  const error_code ec =
      Await([&](auto handler) { asio::async_connect(socket_, *endpoints, std::move(handler)); });
  if (ec) return TransportError(fmt::format("connecting to {} port {}", host, port), ec);
  error_code ignored;
  peer_ = socket_.remote_endpoint(ignored).address();
  return Status::Ok();
}

Status SmtpConnection::StartTls(ssl::context& tls, const std::string& host,
                                const std::string& trust_source) {
  tls_ = std::make_unique<ssl::stream<tcp::socket>>(std::move(socket_), tls);
  SSL* session = tls_->native_handle();
  X509_VERIFY_PARAM* param = SSL_get0_param(session);
  error_code not_ip;
  asio::ip::make_address(host, not_ip);
  bool configured = false;
  if (not_ip) {
    // SNI carries names only (RFC 6066 3).
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    configured = SSL_set_tlsext_host_name(session, host.c_str()) == 1 &&
                 X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size()) == 1;
  } else {
    configured = X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1;
  }
  if (!configured) return Status::Internal(fmt::format("cannot set up TLS for {}", host));

  const error_code ec = Await(
      [&](auto handler) { tls_->async_handshake(ssl::stream_base::client, std::move(handler)); });
  if (!ec) return Status::Ok();
  const long verify = SSL_get_verify_result(session);
  if (verify != X509_V_OK && ec != asio::error::timed_out) {
    return Status::PermissionDenied(
        fmt::format("the server's TLS certificate is not accepted for {}: {} (CA certificates "
                    "from {})",
                    host, X509_verify_cert_error_string(verify), trust_source));
  }
  return TransportError("starting TLS", ec);
}

Result<SmtpReply> SmtpConnection::ReadReply() {
  SmtpReply reply;
  size_t total = 0;
  for (;;) {
    const size_t eol = input_.find('\n');
    if (eol == std::string::npos) {
      const error_code ec = Await([&](auto handler) {
        auto buffer = asio::dynamic_buffer(input_, kMaxReplyBytes);
        if (tls_) {
          asio::async_read_until(*tls_, buffer, '\n', std::move(handler));
        } else {
          asio::async_read_until(socket_, buffer, '\n', std::move(handler));
        }
      });
      if (ec == asio::error::not_found) return Status::Internal("the server's reply is too long");
      if (ec) return TransportError("waiting for a reply", ec);
      continue;
    }
    std::string line = input_.substr(0, eol);
    input_.erase(0, eol + 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    for (const auto& secret : secrets_) ReplaceAll(line, secret, "[redacted]");
    total += line.size();
    if (total > kMaxReplyBytes) return Status::Internal("the server's reply is too long");
    int code = 0;
    std::string text;
    bool more = false;
    if (!ParseReplyLine(line, code, text, more) || (!reply.lines.empty() && code != reply.code)) {
      SmtpReply bad{0, {line}};
      return Status::Internal(fmt::format("not an SMTP reply: \"{}\"", bad.Text()));
    }
    reply.code = code;
    reply.lines.push_back(std::move(text));
    if (!more) return reply;
  }
}

Status SmtpConnection::Write(std::string_view bytes) {
  const error_code ec = Await([&](auto handler) {
    if (tls_) {
      asio::async_write(*tls_, asio::buffer(bytes.data(), bytes.size()), std::move(handler));
    } else {
      asio::async_write(socket_, asio::buffer(bytes.data(), bytes.size()), std::move(handler));
    }
  });
  if (ec) return TransportError("sending", ec);
  return Status::Ok();
}

bool SmtpConnection::peer_is_loopback() const { return IsLoopback(peer_); }

}  // namespace pictor::notify
