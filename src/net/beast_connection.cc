// Opening a connection of the Beast HTTP client: resolve, connect, tunnel, handshake.
#include "net/beast_connection.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace pictor::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

}  // namespace

// getaddrinfo cannot be interrupted, so it runs on a thread of its own that the caller stops
// waiting for at the deadline.
Result<std::vector<tcp::endpoint>> ResolveEndpoints(const std::string& host, uint16_t port,
                                                    SteadyClock::time_point deadline) {
  error_code ec;
  asio::ip::address address = asio::ip::make_address(host, ec);
  if (!ec) return std::vector<tcp::endpoint>{tcp::endpoint(address, port)};

  struct Lookup {
    std::mutex mutex;  // guards everything below
    std::condition_variable done_cv;
    bool done = false;
    int error = 0;
    std::vector<tcp::endpoint> endpoints;
  };
  auto lookup = std::make_shared<Lookup>();
  std::thread([lookup, host, port] {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* list = nullptr;
    int error = ::getaddrinfo(host.c_str(), nullptr, &hints, &list);
    std::vector<tcp::endpoint> endpoints;
    for (addrinfo* info = error == 0 ? list : nullptr; info != nullptr; info = info->ai_next) {
      if (info->ai_family == AF_INET) {
        const auto* in = reinterpret_cast<const sockaddr_in*>(info->ai_addr);
        endpoints.emplace_back(asio::ip::address_v4(ntohl(in->sin_addr.s_addr)), port);
      } else if (info->ai_family == AF_INET6) {
        const auto* in6 = reinterpret_cast<const sockaddr_in6*>(info->ai_addr);
        asio::ip::address_v6::bytes_type bytes;
        std::copy(std::begin(in6->sin6_addr.s6_addr), std::end(in6->sin6_addr.s6_addr),
                  bytes.begin());
        endpoints.emplace_back(asio::ip::address_v6(bytes, in6->sin6_scope_id), port);
      }
    }
    if (list != nullptr) ::freeaddrinfo(list);
    std::lock_guard<std::mutex> lock(lookup->mutex);
    lookup->error = error;
    lookup->endpoints = std::move(endpoints);
    lookup->done = true;
    lookup->done_cv.notify_all();
  }).detach();

  std::unique_lock<std::mutex> lock(lookup->mutex);
  if (!lookup->done_cv.wait_until(lock, deadline, [&] { return lookup->done; })) {
    return Status::DeadlineExceeded("timed out resolving " + host);
  }
  if (lookup->error != 0 || lookup->endpoints.empty()) {
    return Status::Unavailable("cannot resolve " + host + ": " +
                               (lookup->error != 0 ? ::gai_strerror(lookup->error) : "no address"));
  }
  return std::move(lookup->endpoints);
}

namespace {

// Asks the HTTP proxy on `connection` for a tunnel to `url`'s host and port.
Status OpenTunnel(Connection& connection, const HttpUrl& url, const HttpProxy& proxy,
                  SteadyClock::time_point deadline, const std::string& where) {
  const std::string target = FormatAuthority(url.host, url.port);
  std::string request = "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n";
  if (!proxy.authorization.empty()) {
    request += "Proxy-Authorization: " + proxy.authorization + "\r\n";
  }
  request += "\r\n";
  error_code ec = connection.Run([&](auto handler) {
    asio::async_write(connection.tcp(), asio::buffer(request), std::move(handler));
  });
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::empty_body> parser;
  parser.skip(true);  // a 2xx to CONNECT has no body, whatever its header says
  if (!ec) {
    ec = connection.Run([&](auto handler) {
      bhttp::async_read_header(connection.tcp(), buffer, parser, std::move(handler));
    });
  }
  if (ec == beast::error::timeout || (ec && SteadyClock::now() >= deadline)) {
    return Status::DeadlineExceeded(where + ": timed out opening a tunnel through the proxy");
  }
  if (ec) return Status::Unavailable(where + ": proxy tunnel failed: " + ec.message());
  const unsigned status = parser.get().result_int();
  if (status / 100 != 2) {
    return Status::Unavailable(where + ": the proxy refused the tunnel with status " +
                               std::to_string(status));
  }
  if (buffer.size() != 0) return Status::Unavailable(where + ": the proxy sent unasked data");
  return Status::Ok();
}

// Verifies the server's certificate for `url`'s host: SNI and name check for a name, address
// check for an IP.
Status Handshake(Connection& connection, const HttpUrl& url, const TlsContextSource& tls_context,
                 SteadyClock::time_point deadline, const std::string& where) {
  Result<ssl::context*> context = tls_context();
  if (!context.ok()) {
    return Status::Unavailable("TLS error: " + where + ": " + context.status().message());
  }
  Connection::TlsStream& tls = connection.StartTls(**context);
  SSL* handle = tls.native_handle();
  if (IsIpAddress(url.host)) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(handle), url.host.c_str());
  } else {
    SSL_set_tlsext_host_name(handle, url.host.c_str());
    SSL_set_hostflags(handle, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    SSL_set1_host(handle, url.host.c_str());
  }
  error_code ec = connection.Run(
      [&](auto handler) { tls.async_handshake(ssl::stream_base::client, std::move(handler)); });
  if (ec == beast::error::timeout || (ec && SteadyClock::now() >= deadline)) {
    return Status::DeadlineExceeded(where + ": timed out in the TLS handshake");
  }
  if (ec) {
    std::string detail = ec.message();
    if (long verify = SSL_get_verify_result(handle); verify != X509_V_OK) {
      detail += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
    }
    return Status::Unavailable("TLS error: " + where + ": " + detail);
  }
  return Status::Ok();
}

}  // namespace

SteadyClock::time_point DeadlineAfter(SteadyClock::time_point now,
                                      std::chrono::milliseconds timeout) {
  constexpr std::chrono::milliseconds kLongest = std::chrono::hours(24 * 366);
  return now + std::clamp(timeout, std::chrono::milliseconds(0), kLongest);
}

bool Connection::LooksReusable(std::chrono::seconds max_idle_age) {
  if (SteadyClock::now() - idle_since_ > max_idle_age) return false;
  char byte;
  ssize_t n = ::recv(tcp_.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

Result<std::unique_ptr<Connection>> OpenConnection(const HttpUrl& url, const HttpProxy* proxy,
                                                   const TlsContextSource& tls_context,
                                                   SteadyClock::time_point deadline,
                                                   const std::string& where,
                                                   const std::vector<std::string>& addresses) {
  const std::string& host = proxy != nullptr ? proxy->host : url.host;
  const uint16_t port = proxy != nullptr ? proxy->port : url.port;
  const std::string peer = FormatAuthority(host, port);
  Result<std::vector<tcp::endpoint>> endpoints = std::vector<tcp::endpoint>();
  if (addresses.empty()) {
    endpoints = ResolveEndpoints(host, port, deadline);
  } else {
    for (const std::string& text : addresses) {
      error_code ec;
      asio::ip::address address = asio::ip::make_address(text, ec);
      if (ec) return Status::InvalidArgument(where + ": not an address to connect to: " + text);
      endpoints->emplace_back(address, port);
    }
  }
  if (!endpoints.ok()) return endpoints.status().WithContext(where);

  auto connection = std::make_unique<Connection>(url.Origin());
  beast::tcp_stream& tcp = connection->tcp();
  tcp.expires_at(deadline);
  error_code ec =
      connection->Run([&](auto handler) { tcp.async_connect(*endpoints, std::move(handler)); });
  if (ec == beast::error::timeout || (ec && SteadyClock::now() >= deadline)) {
    return Status::DeadlineExceeded(where + ": timed out connecting to " + peer);
  }
  if (ec) return Status::Unavailable(where + ": cannot connect to " + peer + ": " + ec.message());
  tcp.socket().set_option(tcp::no_delay(true), ec);
  tcp.socket().set_option(asio::socket_base::keep_alive(true), ec);

  if (proxy != nullptr && url.tls) {
    Status tunnel = OpenTunnel(*connection, url, *proxy, deadline, where);
    if (!tunnel.ok()) return tunnel;
  }
  if (url.tls) {
    Status handshake = Handshake(*connection, url, tls_context, deadline, where);
    if (!handshake.ok()) return handshake;
  }
  tcp.expires_never();
  return connection;
}

}  // namespace pictor::net
