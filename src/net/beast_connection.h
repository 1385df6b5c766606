// One outgoing connection of the Beast HTTP client, plain or TLS, and how one is opened: name
// resolution, TCP connect, a CONNECT tunnel through a proxy, the TLS handshake.
//
// Each connection owns an io_context that only the thread using the connection runs, one
// asynchronous operation at a time: the operations' expiry (beast::tcp_stream) is how the
// timeouts are kept, and a connection moves with its io_context between calls and threads
// through the idle pool (connection_pool.h). Private to src/net.
#ifndef PICTOR_NET_BEAST_CONNECTION_H_
#define PICTOR_NET_BEAST_CONNECTION_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "net/http_proxy.h"
#include "net/http_url.h"
#include "pictor/status.h"

namespace pictor::net {

using SteadyClock = std::chrono::steady_clock;

// `now` + `timeout`, bounded so that "a day" or more never overflows the clock's arithmetic.
SteadyClock::time_point DeadlineAfter(SteadyClock::time_point now,
                                      std::chrono::milliseconds timeout);

// One connection with the io_context its operations run on. Not thread-safe: used by one call
// at a time.
class Connection {
 public:
  using TlsStream = boost::asio::ssl::stream<boost::beast::tcp_stream&>;

  explicit Connection(std::string pool_key) : pool_key_(std::move(pool_key)) {}
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one asynchronous operation, started by `initiate(handler)`, to completion on the calling
  // thread and returns its error.
  template <typename Initiate>
  boost::system::error_code Run(Initiate&& initiate) {
    boost::system::error_code result = boost::asio::error::would_block;
    io_.restart();
    initiate([&result](boost::system::error_code ec, auto&&...) { result = ec; });
    io_.run();
    return result;
  }

  boost::beast::tcp_stream& tcp() { return tcp_; }
  TlsStream* tls() { return tls_.get(); }
  TlsStream& StartTls(boost::asio::ssl::context& context) {
    tls_ = std::make_unique<TlsStream>(tcp_, context);
    return *tls_;
  }

  // Scheme, host and port of the server at the far end (HttpUrl::Origin): the pool's key.
  const std::string& pool_key() const { return pool_key_; }
  void MarkIdle() { idle_since_ = SteadyClock::now(); }

  // False when the server closed the idle connection (or sent something unasked), or it sat
  // idle longer than `max_idle_age`. One non-blocking peek at the socket.
  bool LooksReusable(std::chrono::seconds max_idle_age);

 private:
  const std::string pool_key_;
  SteadyClock::time_point idle_since_;
  boost::asio::io_context io_;  // declared before, so destroyed after, the streams that use it
  boost::beast::tcp_stream tcp_{io_};
  std::unique_ptr<TlsStream> tls_;
};

// The TLS context for a handshake, asked for only when one is needed (see OpenConnection).
using TlsContextSource = std::function<Result<boost::asio::ssl::context*>()>;

// A new connection to `url`, directly or through `proxy` (nullptr: directly; for https a CONNECT
// tunnel, else the proxy itself is the peer), with the TLS handshake done for https, all within
// `deadline`. TLS verifies the certificate against `url`'s host: SNI and name check for a name,
// address check for an IP. Errors as HttpClient's; `where` ("GET https://host/path") starts
// every message. `addresses`, when not empty, are connected to instead of what the host (or
// proxy) resolves to (HttpCall::connect_addresses; the caller passes no proxy then).
Result<std::unique_ptr<Connection>> OpenConnection(const HttpUrl& url, const HttpProxy* proxy,
                                                   const TlsContextSource& tls_context,
                                                   SteadyClock::time_point deadline,
                                                   const std::string& where,
                                                   const std::vector<std::string>& addresses = {});

// The endpoints `host` resolves to at `port`, within `deadline`; an address needs no lookup.
Result<std::vector<boost::asio::ip::tcp::endpoint>> ResolveEndpoints(
    const std::string& host, uint16_t port, SteadyClock::time_point deadline);

}  // namespace pictor::net

#endif  // PICTOR_NET_BEAST_CONNECTION_H_
