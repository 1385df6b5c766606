// An event-driven HTTP/1.1 server (Boost.Beast on Asio), over plain TCP or TLS, that hands each
// request to a transport-free HttpService, which answers through its route table
// (http/routes.h).
#ifndef PICTOR_HTTP_SERVER_H_
#define PICTOR_HTTP_SERVER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "http/http_message.h"
#include "http/routes.h"
#include "pictor/status.h"

namespace pictor::http {

// What the server serves: a route table, and Handle, which answers through that table (adding
// what the service records around it, such as metrics). Implementations must be thread-safe:
// Handle is called from several threads at once.
class HttpService {
 public:
  virtual ~HttpService() = default;
  // Answers one request by dispatching it through routes(). Never throws.
  virtual HttpResponse Handle(const HttpRequest& request) = 0;
  // The table Handle dispatches through. The server asks it (RouteTable::MayBlock) where to run
  // each request: a route that may block runs on the blocking pool so the event loop keeps
  // answering others, and a request no route takes is refused on the loop.
  virtual const RouteTable& routes() const = 0;
  // The answer to a request the server refuses before the service sees it (a body over
  // max_body_bytes: 413 with a PayloadTooLarge status), worded for the route family of `target`
  // (the raw request target, as the client sent it). Default: Pictor's JSON error,
  // {"message", "error": status.reason()}. Never throws.
  virtual HttpResponse EarlyRefusal(std::string_view target, int http_status, const Status& status);
};

class TlsServerContext;  // http/tls_server_context.h

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;                  // 0 = pick a free port
  int io_threads = 2;                 // event-loop threads
  int blocking_threads = 32;          // threads for routes that may block
  size_t max_body_bytes = 64 * 1024;  // larger bodies get 413 without reaching the service
  size_t max_header_bytes = 16 * 1024;
  std::chrono::seconds idle_timeout{60};     // keep-alive connection with no request
  std::chrono::seconds request_timeout{30};  // reading one request, or a TLS handshake (slowloris)
  // Open connections beyond these are closed as soon as they are accepted: in all, and from
  // one remote address (so that one client's slow connections cannot lock out every other).
  size_t max_connections = 10000;
  size_t max_connections_per_address = 256;
  // Set: every connection speaks TLS with the context current when it is accepted (so a
  // reload of `tls` reaches new connections only); null: plain HTTP.
  std::shared_ptr<TlsServerContext> tls;
};

// Thread-safety: Start/Stop from one thread; the server runs its own threads.
class HttpServer {
 public:
  virtual ~HttpServer() = default;
  // Binds and starts serving. InvalidArgument for a bad host; Unavailable when the address
  // is taken.
  static Result<std::unique_ptr<HttpServer>> Start(const ServerOptions& options,
                                                   HttpService& service);
  // The bound port (useful with port 0).
  virtual uint16_t port() const = 0;
  // Stops accepting, lets requests in progress finish (up to `grace`), then closes every
  // connection and joins the threads. Idempotent.
  virtual void Stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000)) = 0;
};

}  // namespace pictor::http

#endif  // PICTOR_HTTP_SERVER_H_
