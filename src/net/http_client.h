// One HTTP client for every outgoing HTTP call Pictor makes: AWS (S3, SQS, SNS, Bedrock,
// CloudWatch, credential endpoints), webhooks, OpenAI-compatible models, the Lambda Runtime API.
//
// HttpClient is the port of the net module (src/net): the implementation (HTTP/1.1 on Boost.Beast,
// TLS on OpenSSL) is reached through NewHttpClient(), and tests may substitute their own. Perform()
// sends one request and waits for the whole reply; it does not retry (see retry.h) and does not
// interpret the status code.
#ifndef PICTOR_NET_HTTP_CLIENT_H_
#define PICTOR_NET_HTTP_CLIENT_H_

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pictor/status.h"

namespace pictor::net {

// One request. `url` is complete ("http[s]://host[:port]/path?query", already encoded; an IPv6
// host is written "[::1]"); path and query are sent exactly as written. Headers are sent as
// given, in order and unchanged, since they may be signed. The client adds only Host (when
// absent; with the port only when it is not the scheme's default) and Content-Length (when absent,
// for a non-empty body and always for POST, PUT and PATCH); never Expect, Content-Type or
// Accept-Encoding. `connect_timeout` covers name resolution, TCP connect and the TLS handshake;
// `total_timeout` covers the whole call, connecting included.
struct HttpCall {
  std::string method = "GET";
  std::string url{};
  std::vector<std::pair<std::string, std::string>> headers{};
  std::string body{};
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds total_timeout{30000};
  // When not empty, the connection goes to these addresses (IPv4 or IPv6 text, tried in order, at
  // the URL's port) instead of those the URL's host resolves to, without a proxy and on a fresh
  // connection that is not pooled afterwards; TLS still verifies the certificate against the
  // URL's host. For callers that checked the addresses themselves (webhooks: what was checked is
  // what is connected to, whatever the name resolves to a moment later).
  std::vector<std::string> connect_addresses{};
};

// A complete reply. Any status code, 5xx included, is a reply; only transport failures are not.
// Interim 1xx replies are skipped; a reply to HEAD has an empty body.
struct HttpReply {
  long status = 0;
  // In arrival order, names as received; values trimmed of surrounding whitespace.
  std::vector<std::pair<std::string, std::string>> headers{};
  std::string body{};

  // The first header named `name` (ASCII case-insensitive), or nullptr.
  const std::string* FindHeader(std::string_view name) const;
  // The first header named `name`, or "" when there is none.
  std::string Header(std::string_view name) const;
};

// Thread-safe: Perform may be called from any number of threads at once. Implementations reuse
// connections across calls and threads where they can.
//
// Errors (transport only): a timeout (connect or total) is DeadlineExceeded; a refused, reset or
// unresolvable connection, an empty or malformed reply, or a TLS failure (message prefixed
// "TLS error: ") is Unavailable; a malformed URL or header, an unsupported scheme or proxy setting
// is InvalidArgument; a reply larger than the client accepts is Internal. Messages name the host
// but never carry headers, bodies or the query string.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual Result<HttpReply> Perform(const HttpCall& call) = 0;
};

// The client every adapter uses: HTTP/1.1 over Boost.Beast, TLS 1.2+ over OpenSSL.
//
// Connections are kept alive and shared between calls and threads, keyed by (scheme, host,
// port), with at most `max_idle_connections` idle ones in all. A request that finds its reused
// connection closed by the server before any byte of the reply arrived is sent once more on a
// fresh connection; nothing is resent once reply bytes have arrived.
//
// TLS verifies the server's certificate chain and name. CA certificates come from SSL_CERT_FILE
// and SSL_CERT_DIR when set, else from the first bundle found among the usual Debian, Amazon Linux
// and BSD paths, else from OpenSSL's defaults; they are loaded at the first https call.
//
// Proxies come from the environment when the client is made (http_proxy, https_proxy, no_proxy;
// see http_proxy.h). Reply bodies up to 64 MiB are accepted.
std::unique_ptr<HttpClient> NewHttpClient(size_t max_idle_connections = 16);

// The addresses `host` resolves to (getaddrinfo, IPv4 and IPv6, as text), within `timeout`; an
// address is its own answer. DeadlineExceeded on timeout; Unavailable when it does not resolve.
Result<std::vector<std::string>> ResolveHost(const std::string& host,
                                             std::chrono::milliseconds timeout);

}  // namespace pictor::net

#endif  // PICTOR_NET_HTTP_CLIENT_H_
