// HttpClient on Boost.Beast (HTTP/1.1) and Boost.Asio's SSL stream (OpenSSL).
//
// Every call is synchronous for its caller. One call: parse the URL, pick the route (direct,
// through an HTTP proxy, or through a CONNECT tunnel), take an idle connection for (scheme, host,
// port) from the pool or open one (beast_connection.h: resolve, connect, tunnel, TLS handshake,
// all within connect_timeout), exchange the request and the reply on it (http_wire.h), and pool
// the connection again when the reply allows it.
#include <algorithm>
#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/system/system_error.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <utility>

#include "net/beast_connection.h"
#include "net/connection_pool.h"
#include "net/http_client.h"
#include "net/http_proxy.h"
#include "net/http_url.h"
#include "net/http_wire.h"
#include "net/tls_client_context.h"

namespace pictor::net {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;

class BeastHttpClient final : public HttpClient {
 public:
  explicit BeastHttpClient(size_t max_idle_connections)
      : proxies_(ProxySettings::FromEnvironment()), pool_(max_idle_connections) {}

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
    const SteadyClock::time_point deadline = DeadlineAfter(SteadyClock::now(), call.total_timeout);
    Result<HttpUrl> url = ParseHttpUrl(call.url);
    if (!url.ok()) {
      return Status::InvalidArgument(call.method + " " + UnparsedUrlForMessages(call.url) + ": " +
                                     url.status().message());
    }
    const std::string where = call.method + " " + url->ForMessages();
    // Addresses the caller checked are connected to directly: a proxy would resolve the name again.
    const bool pinned = !call.connect_addresses.empty();
    Result<const HttpProxy*> proxy =
        pinned ? Result<const HttpProxy*>(static_cast<const HttpProxy*>(nullptr))
               : proxies_.For(*url);
    if (!proxy.ok()) return proxy.status().WithContext(where);
    const HttpProxy* forward_proxy = url->tls ? nullptr : *proxy;
    Result<std::string> head = FormatRequestHead(call, *url, forward_proxy);
    if (!head.ok()) return head.status().WithContext(where);
    const std::array<asio::const_buffer, 2> request = {asio::buffer(*head),
                                                       asio::buffer(call.body)};
    const TlsContextSource tls_context = [this] { return TlsContext(); };

    for (int attempt = 0;; ++attempt) {
      // A reused connection found closed is replaced once, by a fresh one.
      std::unique_ptr<Connection> connection =
          attempt == 0 && !pinned ? pool_.Take(url->Origin()) : nullptr;
      const bool reused = connection != nullptr;
      if (!reused) {
        const SteadyClock::time_point connect_deadline =
            std::min(deadline, DeadlineAfter(SteadyClock::now(), call.connect_timeout));
        Result<std::unique_ptr<Connection>> opened = OpenConnection(
            *url, *proxy, tls_context, connect_deadline, where, call.connect_addresses);
        if (!opened.ok()) return opened.status();
        connection = std::move(*opened);
      }
      Exchange exchange = Transact(*connection, request, call.method == "HEAD", deadline, where);
      if (exchange.reply.ok()) {
        if (exchange.keep_alive && !pinned) pool_.Put(std::move(connection));
        return std::move(exchange.reply);
      }
      if (!(reused && exchange.stale)) return exchange.reply.status();
    }
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

  const ProxySettings proxies_;
  ConnectionPool pool_;

  std::mutex tls_mutex_;  // guards tls_context_
  TlsClientContext tls_context_;
};

}  // namespace

std::unique_ptr<HttpClient> NewHttpClient(size_t max_idle_connections) {
  return std::make_unique<BeastHttpClient>(max_idle_connections);
}

Result<std::vector<std::string>> ResolveHost(const std::string& host,
                                             std::chrono::milliseconds timeout) {
  try {
    auto endpoints = ResolveEndpoints(host, 0, DeadlineAfter(SteadyClock::now(), timeout));
    if (!endpoints.ok()) return endpoints.status();
    std::vector<std::string> addresses;
    for (const auto& endpoint : *endpoints) {
      // Without the scope of a link-local IPv6 address: the text is for checking.
      addresses.push_back(endpoint.address().is_v6() ? endpoint.address().to_v6().to_string()
                                                     : endpoint.address().to_string());
    }
    return addresses;
  } catch (const std::system_error& e) {  // no thread for the lookup
    return Status::Unavailable("cannot resolve " + host + ": " + e.code().message());
  }
}

}  // namespace pictor::net
