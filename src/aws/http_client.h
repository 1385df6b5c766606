// One HTTP client for every AWS call Pictor makes (S3, SQS, Bedrock, credential endpoints).
//
// HttpClient is a port inside the AWS layer: the libcurl implementation is reached through
// NewCurlHttpClient(), and tests may substitute their own. Perform() sends one request and waits
// for the whole reply; it does not retry (see retry.h) and does not interpret the status code.
#ifndef PICTOR_AWS_HTTP_CLIENT_H_
#define PICTOR_AWS_HTTP_CLIENT_H_

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pictor/status.h"

namespace pictor::aws {

// One request. `url` is complete ("https://host[:port]/path?query", already encoded). Headers
// are sent as given; libcurl adds Host, Content-Length and Accept-Encoding when absent, and
// never adds "Expect: 100-continue" (it is suppressed, since a signed request must not change).
struct HttpCall {
  std::string method = "GET";
  std::string url{};
  std::vector<std::pair<std::string, std::string>> headers{};
  std::string body{};
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds total_timeout{30000};
};

// A complete reply. Any status code, 5xx included, is a reply; only transport failures are not.
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
// unresolvable connection, or a TLS failure, is Unavailable; a malformed URL or an unsupported
// scheme is InvalidArgument. Messages name the host but never carry headers or bodies.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual Result<HttpReply> Perform(const HttpCall& call) = 0;
};

// The libcurl client. Proxies follow libcurl's defaults (http_proxy, https_proxy, no_proxy
// environment variables). Keeps up to `max_idle_handles` easy handles (each with its live
// connections) for reuse; connections and DNS answers are also shared between handles.
std::unique_ptr<HttpClient> NewCurlHttpClient(size_t max_idle_handles = 16);

// True when `a` and `b` are equal ignoring ASCII case (header names).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace pictor::aws

#endif  // PICTOR_AWS_HTTP_CLIENT_H_
