// The wire code of the Beast HTTP client: what goes on one connection for one call. The request
// head is formatted here exactly as it is sent; the reply is read with Beast's parser into an
// HttpReply, its header fields kept in arrival order. Private to src/net.
#ifndef PICTOR_NET_HTTP_WIRE_H_
#define PICTOR_NET_HTTP_WIRE_H_

#include <array>
#include <boost/asio/buffer.hpp>
#include <cstdint>
#include <string>

#include "net/beast_connection.h"
#include "net/http_client.h"
#include "net/http_proxy.h"
#include "net/http_url.h"
#include "pictor/status.h"

namespace pictor::net {

// Large enough for any image Pictor stores or a model returns (base64 included).
inline constexpr uint64_t kMaxReplyBody = uint64_t{64} << 20;
inline constexpr uint32_t kMaxReplyHeader = 64 << 10;

// The request line and header of `call` to `url`, exactly as sent, with the Host,
// Content-Length and Proxy-Authorization fields HttpCall's contract adds. `proxy` is the HTTP
// proxy the request goes through in absolute form, or nullptr. InvalidArgument for a method or
// header name that is not a token, a header value with a line break, or a Content-Length that
// does not match the body.
Result<std::string> FormatRequestHead(const HttpCall& call, const HttpUrl& url,
                                      const HttpProxy* proxy);

// What one request/reply exchange on a connection came to.
struct Exchange {
  Result<HttpReply> reply = Status::Internal("no exchange");
  bool keep_alive = false;  // the connection may carry another request
  bool stale = false;       // closed before any reply byte arrived: safe to send again
};

// Writes `request` (head and body) on `connection` (its TLS stream once started, else TCP) and
// reads the reply, skipping interim 1xx replies, all within `deadline`; `head` says the request
// is a HEAD (no body follows). Errors as HttpClient's, each message starting with `where`.
Exchange Transact(Connection& connection, const std::array<boost::asio::const_buffer, 2>& request,
                  bool head, SteadyClock::time_point deadline, const std::string& where);

}  // namespace pictor::net

#endif  // PICTOR_NET_HTTP_WIRE_H_
