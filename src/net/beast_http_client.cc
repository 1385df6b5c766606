// HttpClient on Boost.Beast (HTTP/1.1) and Boost.Asio's SSL stream (OpenSSL).
//
// Every call is synchronous for its caller. Each connection owns an io_context that only the
// thread using the connection runs, one asynchronous operation at a time: the operations'
// expiry (beast::tcp_stream) is how the timeouts are kept, and a connection moves with its
// io_context between calls and threads through the idle pool.
//
// One call: parse the URL, pick the route (direct, through an HTTP proxy, or through a CONNECT
// tunnel), take an idle connection for (scheme, host, port) or open one (resolve, connect,
// tunnel, TLS handshake: all within connect_timeout), write the request as given, read the reply
// with Beast's parser, and pool the connection again when the reply allows it.
#include <arpa/inet.h>
#include <netdb.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "core/ascii.h"
#include "net/http_client.h"
#include "net/http_proxy.h"
#include "net/http_url.h"
#include "net/tls_client_context.h"

namespace pictor::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using Clock = std::chrono::steady_clock;

// Large enough for any image Pictor stores or a model returns (base64 included).
constexpr uint64_t kMaxReplyBody = uint64_t{64} << 20;
constexpr uint32_t kMaxReplyHeader = 64 << 10;
// Servers and NATs drop idle connections, not always with a word to us: past this age an idle
// connection is not worth the risk of a timeout, as a new one costs only a handshake.
constexpr std::chrono::seconds kMaxIdleAge{60};

std::string_view View(beast::string_view s) { return {s.data(), s.size()}; }

// RFC 9110 token characters: what a method or a header name may consist of.
bool IsToken(std::string_view s) {
  static constexpr std::string_view kSpecials = "!#$%&'*+-.^_`|~";
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || kSpecials.find(c) != kSpecials.npos;
  });
}

Clock::time_point DeadlineAfter(Clock::time_point now, std::chrono::milliseconds timeout) {
  // Bounded so that "a day" or more never overflows the clock's arithmetic.
  constexpr std::chrono::milliseconds kLongest = std::chrono::hours(24 * 366);
  return now + std::clamp(timeout, std::chrono::milliseconds(0), kLongest);
}

// ---- Connections ------------------------------------------------------------------------------

// Resolves `host` within `deadline`. getaddrinfo cannot be interrupted, so it runs on a thread
// of its own that the caller stops waiting for at the deadline; an address needs no lookup.
Result<std::vector<tcp::endpoint>> Resolve(const std::string& host, uint16_t port,
                                           Clock::time_point deadline) {
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

// One connection, plain or TLS, with the io_context its operations run on. Not thread-safe:
// used by one call at a time.
class Connection {
 public:
  explicit Connection(std::string pool_key) : pool_key_(std::move(pool_key)) {}

  // Runs one asynchronous operation, started by `initiate(handler)`, to completion on the calling
  // thread and returns its error.
  template <typename Initiate>
  error_code Run(Initiate&& initiate) {
    error_code result = asio::error::would_block;
    io_.restart();
    initiate([&result](error_code ec, auto&&...) { result = ec; });
    io_.run();
    return result;
  }

  beast::tcp_stream& tcp() { return tcp_; }
  ssl::stream<beast::tcp_stream&>* tls() { return tls_.get(); }
  ssl::stream<beast::tcp_stream&>& StartTls(ssl::context& context) {
    tls_ = std::make_unique<ssl::stream<beast::tcp_stream&>>(tcp_, context);
    return *tls_;
  }

  const std::string& pool_key() const { return pool_key_; }
  void MarkIdle() { idle_since_ = Clock::now(); }

  // False when the server closed the idle connection (or sent something unasked), or it sat
  // idle too long. One non-blocking peek at the socket.
  bool LooksReusable() {
    if (Clock::now() - idle_since_ > kMaxIdleAge) return false;
    char byte;
    ssize_t n = ::recv(tcp_.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }

 private:
  const std::string pool_key_;
  Clock::time_point idle_since_;
  asio::io_context io_;  // declared before, so destroyed after, the streams that use it
  beast::tcp_stream tcp_{io_};
  std::unique_ptr<ssl::stream<beast::tcp_stream&>> tls_;
};

bool IsTlsError(const error_code& ec) {
  return ec.category() == asio::error::get_ssl_category() ||
         ec.category() == ssl::error::get_stream_category();
}

// The connection closed under us with nothing read: on a reused connection, the server had
// closed it while it sat idle.
bool IsClosedError(const error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::connection_aborted || ec == ssl::error::stream_truncated;
}

// Beast's parser, filling an HttpReply: the header fields stay in arrival order (Beast's own
// fields container groups repeated names together), with their names as received.
class ReplyParser final : public bhttp::basic_parser<false> {
 public:
  HttpReply& reply() { return reply_; }

 private:
  void on_request_impl(bhttp::verb, beast::string_view, beast::string_view, int,
                       error_code&) override {}
  void on_response_impl(int status, beast::string_view, int, error_code&) override {
    reply_.status = status;
  }
  void on_field_impl(bhttp::field, beast::string_view name, beast::string_view value,
                     error_code&) override {
    reply_.headers.emplace_back(std::string(View(name)), std::string(AsciiTrim(View(value))));
  }
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override {
    if (length) reply_.body.reserve(*length);  // the parser has checked it against the limit
  }
  size_t on_body_impl(beast::string_view body, error_code&) override {
    reply_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, error_code&) override {}
  size_t on_chunk_body_impl(std::uint64_t, beast::string_view body, error_code&) override {
    reply_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(error_code&) override {}

  HttpReply reply_;
};

// What one request/reply exchange on a connection came to.
struct Exchange {
  Result<HttpReply> reply = Status::Internal("no exchange");
  bool keep_alive = false;  // the connection may carry another request
  bool stale = false;       // closed before any reply byte arrived: safe to send again
};

// Sends `request` and reads the reply on `stream`, within `deadline`.
template <typename Stream>
Exchange Transact(Connection& connection, Stream& stream,
                  const std::array<asio::const_buffer, 2>& request, bool head,
                  Clock::time_point deadline, const std::string& where) {
  Exchange out;
  auto fail = [&](const error_code& ec, bool received) {
    out.stale = !received && IsClosedError(ec);
    if (ec == beast::error::timeout || Clock::now() >= deadline) {
      out.reply = Status::DeadlineExceeded(where + ": timed out waiting for the reply");
    } else if (ec == bhttp::error::body_limit) {
      out.reply = Status::Internal(where + ": the reply body is larger than " +
                                   std::to_string(kMaxReplyBody >> 20) + " MiB");
    } else if (ec == bhttp::error::header_limit) {
      out.reply = Status::Internal(where + ": the reply header is larger than " +
                                   std::to_string(kMaxReplyHeader >> 10) + " KiB");
    } else if (!received && IsClosedError(ec)) {
      out.reply = Status::Unavailable(where + ": the server closed the connection without a reply");
    } else if (ec.category() == bhttp::make_error_code(bhttp::error::partial_message).category()) {
      out.reply = Status::Unavailable(where + ": malformed or cut-off reply: " + ec.message());
    } else if (IsTlsError(ec) && ec != ssl::error::stream_truncated) {
      out.reply = Status::Unavailable("TLS error: " + where + ": " + ec.message());
    } else {
      out.reply = Status::Unavailable(where + ": " + ec.message());
    }
    return std::move(out);
  };

  connection.tcp().expires_at(deadline);
  error_code ec =
      connection.Run([&](auto handler) { asio::async_write(stream, request, std::move(handler)); });
  if (ec) return fail(ec, false);

  beast::flat_buffer buffer;
  bool received = false;
  for (;;) {
    ReplyParser parser;
    parser.header_limit(kMaxReplyHeader);
    parser.body_limit(kMaxReplyBody);
    if (head) parser.skip(true);
    ec = connection.Run([&](auto handler) {
      bhttp::async_read_header(stream, buffer, parser, std::move(handler));
    });
    received = received || parser.got_some() || buffer.size() > 0;
    if (ec) return fail(ec, received);
    const long status = parser.reply().status;
    if (status / 100 == 1 && status != 101) continue;  // interim: the final reply follows
    if (!parser.is_done()) {
      ec = connection.Run(
          [&](auto handler) { bhttp::async_read(stream, buffer, parser, std::move(handler)); });
      // A body read until the close may end without TLS close_notify, as curl also accepts.
      if (ec == ssl::error::stream_truncated && parser.need_eof()) parser.put_eof(ec);
      if (ec) return fail(ec, true);
    }
    // 101 Switching Protocols leaves HTTP behind on this connection.
    out.keep_alive =
        parser.keep_alive() && !parser.need_eof() && buffer.size() == 0 && status != 101;
    out.reply = std::move(parser.reply());
    connection.tcp().expires_never();
    return out;
  }
}

// The request line and header, exactly as sent. `proxy` is the HTTP proxy the request goes
// through in absolute form, or nullptr.
Result<std::string> FormatRequestHead(const HttpCall& call, const HttpUrl& url,
                                      const HttpProxy* proxy) {
  if (!IsToken(call.method)) return Status::InvalidArgument("the method is not a token");
  bool has_host = false;
  bool has_length = false;
  bool has_proxy_authorization = false;
  for (const auto& [name, value] : call.headers) {
    if (!IsToken(name)) return Status::InvalidArgument("a header name is not a token");
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      return Status::InvalidArgument("the value of header " + name + " has a line break");
    }
    has_host |= EqualsIgnoreCase(name, "host");
    has_proxy_authorization |= EqualsIgnoreCase(name, "proxy-authorization");
    if (EqualsIgnoreCase(name, "content-length")) {
      if (AsciiTrim(value) != std::to_string(call.body.size())) {
        return Status::InvalidArgument("Content-Length does not match the body");
      }
      has_length = true;
    }
  }
  std::string head = call.method + " ";
  head += proxy != nullptr ? "http://" + url.authority + url.target : url.target;
  head += " HTTP/1.1\r\n";
  if (!has_host) head += "Host: " + url.authority + "\r\n";
  for (const auto& [name, value] : call.headers) {
    head += name;
    head += value.empty() ? ":" : ": ";
    head += value;
    head += "\r\n";
  }
  const bool always_length =
      call.method == "POST" || call.method == "PUT" || call.method == "PATCH";
  if (!has_length && (always_length || !call.body.empty())) {
    head += "Content-Length: " + std::to_string(call.body.size()) + "\r\n";
  }
  if (proxy != nullptr && !proxy->authorization.empty() && !has_proxy_authorization) {
    head += "Proxy-Authorization: " + proxy->authorization + "\r\n";
  }
  head += "\r\n";
  return head;
}

class BeastHttpClient final : public HttpClient {
 public:
  explicit BeastHttpClient(size_t max_idle_connections)
      : max_idle_(max_idle_connections), proxies_(ProxySettings::FromEnvironment()) {}

  BeastHttpClient(const BeastHttpClient&) = delete;
  BeastHttpClient& operator=(const BeastHttpClient&) = delete;

  Result<HttpReply> Perform(const HttpCall& call) override {
    // Asio reports some failures by throwing (no file descriptors left for an io_context, for
    // one); none may cross the port.
    try {
      return PerformOrThrow(call);
    } catch (const boost::system::system_error& e) {
      return Status::Unavailable(call.method + " " + UnparsedUrlForMessages(call.url) + ": " +
                                 e.code().message());
    } catch (const std::system_error& e) {  // no thread for a name lookup, for one
      return Status::Unavailable(call.method + " " + UnparsedUrlForMessages(call.url) + ": " +
                                 e.code().message());
    } catch (const std::exception& e) {
      return Status::Internal(call.method + " " + UnparsedUrlForMessages(call.url) + ": " +
                              e.what());
    }
  }

 private:
  Result<HttpReply> PerformOrThrow(const HttpCall& call) {
    const Clock::time_point deadline = DeadlineAfter(Clock::now(), call.total_timeout);
    Result<HttpUrl> url = ParseHttpUrl(call.url);
    if (!url.ok()) {
      return Status::InvalidArgument(call.method + " " + UnparsedUrlForMessages(call.url) + ": " +
                                     url.status().message());
    }
    const std::string where = call.method + " " + url->ForMessages();
    Result<const HttpProxy*> proxy = proxies_.For(*url);
    if (!proxy.ok()) return proxy.status().WithContext(where);
    const HttpProxy* forward_proxy = url->tls ? nullptr : *proxy;
    Result<std::string> head = FormatRequestHead(call, *url, forward_proxy);
    if (!head.ok()) return head.status().WithContext(where);
    const std::array<asio::const_buffer, 2> request = {asio::buffer(*head),
                                                       asio::buffer(call.body)};

    for (int attempt = 0;; ++attempt) {
      // A reused connection found closed is replaced once, by a fresh one.
      std::unique_ptr<Connection> connection = attempt == 0 ? TakeIdle(url->Origin()) : nullptr;
      const bool reused = connection != nullptr;
      if (!reused) {
        const Clock::time_point connect_deadline =
            std::min(deadline, DeadlineAfter(Clock::now(), call.connect_timeout));
        Result<std::unique_ptr<Connection>> opened = Open(*url, *proxy, connect_deadline, where);
        if (!opened.ok()) return opened.status();
        connection = std::move(*opened);
      }
      Exchange exchange = connection->tls() != nullptr
                              ? Transact(*connection, *connection->tls(), request,
                                         call.method == "HEAD", deadline, where)
                              : Transact(*connection, connection->tcp(), request,
                                         call.method == "HEAD", deadline, where);
      if (exchange.reply.ok()) {
        if (exchange.keep_alive) PutIdle(std::move(connection));
        return std::move(exchange.reply);
      }
      if (!(reused && exchange.stale)) return exchange.reply.status();
    }
  }

  // A new connection to `url`, directly or through `proxy`, ready for a request.
  Result<std::unique_ptr<Connection>> Open(const HttpUrl& url, const HttpProxy* proxy,
                                           Clock::time_point deadline, const std::string& where) {
    const std::string& host = proxy != nullptr ? proxy->host : url.host;
    const uint16_t port = proxy != nullptr ? proxy->port : url.port;
    const std::string peer = FormatAuthority(host, port);
    Result<std::vector<tcp::endpoint>> endpoints = Resolve(host, port, deadline);
    if (!endpoints.ok()) return endpoints.status().WithContext(where);

    auto connection = std::make_unique<Connection>(url.Origin());
    beast::tcp_stream& tcp = connection->tcp();
    tcp.expires_at(deadline);
    error_code ec =
        connection->Run([&](auto handler) { tcp.async_connect(*endpoints, std::move(handler)); });
    if (ec == beast::error::timeout || (ec && Clock::now() >= deadline)) {
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
      Status handshake = Handshake(*connection, url, deadline, where);
      if (!handshake.ok()) return handshake;
    }
    tcp.expires_never();
    return connection;
  }

  // Asks the HTTP proxy on `connection` for a tunnel to `url`'s host and port.
  static Status OpenTunnel(Connection& connection, const HttpUrl& url, const HttpProxy& proxy,
                           Clock::time_point deadline, const std::string& where) {
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
    if (ec == beast::error::timeout || (ec && Clock::now() >= deadline)) {
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
  Status Handshake(Connection& connection, const HttpUrl& url, Clock::time_point deadline,
                   const std::string& where) {
    Result<ssl::context*> context = TlsContext();
    if (!context.ok()) {
      return Status::Unavailable("TLS error: " + where + ": " + context.status().message());
    }
    ssl::stream<beast::tcp_stream&>& tls = connection.StartTls(**context);
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
    if (ec == beast::error::timeout || (ec && Clock::now() >= deadline)) {
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

  // The TLS context, made at the first https call so that processes that never use TLS do not
  // load a CA bundle.
  Result<ssl::context*> TlsContext() {
    std::lock_guard<std::mutex> lock(tls_mutex_);
    if (tls_context_.context == nullptr) {
      auto made = NewTlsClientContext();
      if (!made.ok()) return made.status();
      tls_context_ = std::move(made).value();
    }
    return tls_context_.context.get();
  }

  // The newest idle connection for `key` that still looks usable, or nullptr.
  std::unique_ptr<Connection> TakeIdle(const std::string& key) {
    for (;;) {
      std::unique_ptr<Connection> connection;
      {
        std::lock_guard<std::mutex> lock(idle_mutex_);
        for (size_t i = idle_.size(); i-- > 0;) {
          if (idle_[i]->pool_key() == key) {
            connection = std::move(idle_[i]);
            idle_.erase(idle_.begin() + static_cast<std::ptrdiff_t>(i));
            break;
          }
        }
      }
      if (connection == nullptr || connection->LooksReusable()) return connection;
    }  // a dead connection closes here, outside the lock
  }

  void PutIdle(std::unique_ptr<Connection> connection) {
    connection->MarkIdle();
    std::unique_ptr<Connection> evicted;
    std::lock_guard<std::mutex> lock(idle_mutex_);
    if (max_idle_ == 0) return;
    if (idle_.size() >= max_idle_) {
      evicted = std::move(idle_.front());  // the longest idle
      idle_.erase(idle_.begin());
    }
    idle_.push_back(std::move(connection));
  }

  const size_t max_idle_;
  const ProxySettings proxies_;

  std::mutex tls_mutex_;  // guards tls_context_
  TlsClientContext tls_context_;

  std::mutex idle_mutex_;                          // guards idle_
  std::vector<std::unique_ptr<Connection>> idle_;  // oldest first
};

}  // namespace

std::unique_ptr<HttpClient> NewHttpClient(size_t max_idle_connections) {
  return std::make_unique<BeastHttpClient>(max_idle_connections);
}

}  // namespace pictor::net
