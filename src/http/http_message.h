// Transport-free HTTP request and response values. The API handler is a function of these, so
// the HTTP server and the Lambda API Gateway adapter answer every request the same way.
#ifndef PICTOR_HTTP_HTTP_MESSAGE_H_
#define PICTOR_HTTP_HTTP_MESSAGE_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/response_stream.h"
#include "pictor/api_keys.h"

namespace pictor::http {

// Header names compare case-insensitively; order and repeats are kept.
class Headers {
 public:
  void Add(std::string name, std::string value) {
    fields_.emplace_back(std::move(name), std::move(value));
  }
  // Replaces every field of that name with one.
  void Set(std::string_view name, std::string value);
  // The first value of that name, if any.
  std::optional<std::string_view> Get(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

// Who sent a request, as authentication found it. Authentication off: no name, every scope.
struct Caller {
  std::string key_name;          // the API key's name (never the key); empty: no key
  uint32_t scopes = kAllScopes;  // pictor::Scope bits
  bool Has(uint32_t scope) const { return (scopes & scope) == scope; }
};

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // percent-decoded path, no query ("/images/a/b.png")
  std::string query;   // raw query string without '?'
  Headers headers;
  std::string body;
  std::string remote_address;  // for logs; may be empty
  bool tls = false;            // arrived over TLS (absolute URLs built from Host use https)
  Caller caller;               // set by the API's authentication before a handler runs
  // The id the server's log and its X-Request-Id answer give this request; may be empty.
  std::string request_id;
};

struct HttpResponse {
  int status = 200;
  Headers headers;
  std::string body;
  // Set (with status 200): the body is this stream's, sent as it comes after the header, with
  // no Content-Length (chunked over HTTP/1.1); `body` is ignored. Transports that cannot stream
  // (the Lambda adapter) must not route to a handler that sets it.
  std::shared_ptr<ResponseStream> stream = nullptr;
};

// The standard reason phrase ("Not Found"), or "Unknown".
std::string_view ReasonPhrase(int status);

}  // namespace pictor::http

#endif  // PICTOR_HTTP_HTTP_MESSAGE_H_
