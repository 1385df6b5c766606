// One connection of HttpServer: an asynchronous state machine on its own strand, the same code
// over plain TCP and over TLS (a class template instantiated for both streams, so the plain path
// pays nothing for TLS).
//
// Kept in one file although it is long: request reading, plain responses and streamed responses
// are phases of one state machine sharing the buffer, the timers and the close rules, and split
// across files they would each have to expose that private state.
//
// A connection walks through these phases, each an asynchronous operation on its strand:
//   handshake  TLS only: the first bytes (plain HTTP gets a 400 saying to use https), then the
//            TLS handshake                                          (request_timeout)
//   idle     waiting for the first byte of the next request        (idle_timeout)
//   reading  header (checked: Host, Transfer-Encoding, Expect), then an optional
//            "100 Continue", then body                              (request_timeout)
//   handling inline on the io thread, or on the blocking pool
//   writing  the response                                           (request_timeout)
//   streaming  a streaming response (HttpResponse::stream): the header, then the body as the
//            stream writes it, with a keepalive when it is quiet; each write under
//            request_timeout, the wait between them unbounded; a read kept pending sees the
//            client go away
//   closing  TLS close_notify sent; send side shut, unread input drained so the peer sees the
//            response, not a reset
#include "http/connection.h"

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <exception>
#include <string_view>
#include <type_traits>
#include <utility>

#include "core/ascii.h"
#include "core/ids.h"
#include "core/log_fields.h"
#include "core/percent_encoding.h"
#include "http/labels.h"

namespace pictor::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

// No version: it would tell an attacker which known defects to try.
constexpr std::string_view kServerName = "pictor";
constexpr size_t kReadChunk = 16 * 1024;
// How long, and how much, a closing connection keeps reading so that unread request bytes do
// not turn our close into a reset that destroys the response in the peer's buffers.
constexpr std::chrono::seconds kLingerTime{2};
constexpr size_t kLingerBytes = 1024 * 1024;
// The content type of a TLS record that carries a handshake message (RFC 8446 5.1): the first
// byte every TLS client sends.
constexpr unsigned char kTlsHandshakeRecord = 0x16;

beast::string_view ToBeast(std::string_view s) { return {s.data(), s.size()}; }
std::string ToString(beast::string_view s) { return {s.data(), s.size()}; }
std::string_view ToView(beast::string_view s) { return {s.data(), s.size()}; }

// RFC 9110 IMF-fixdate, formatted at most once a second per thread.
std::string_view HttpDate() {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  thread_local std::time_t cached_second = -1;
  thread_local char text[64];
  std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm t{};
    gmtime_r(&now, &t);
    std::snprintf(text, sizeof(text), "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[t.tm_wday % 7],
                  t.tm_mday, kMonths[t.tm_mon % 12], t.tm_year + 1900, t.tm_hour, t.tm_min,
                  t.tm_sec);
    cached_second = now;
  }
  return text;
}

HttpResponse JsonError(int status, std::string_view error, std::string_view message) {
  HttpResponse response;
  response.status = status;
  response.headers.Add("Content-Type", "application/json");
  response.body =
      "{\"message\": \"" + std::string(message) + "\", \"error\": \"" + std::string(error) + "\"}";
  return response;
}

// Calls the service, turning a contract breach (an exception) into a 500 the client can read.
// The log names the route by its label, never the raw path: a client chooses the path, and
// it may hold anything a decoded %xx can.
HttpResponse InvokeService(HttpService& service, const HttpRequest& request) {
  LogScope request_scope(LogField::kRequestId, request.request_id);
  try {
    return service.Handle(request);
  } catch (const std::exception& e) {
    spdlog::error("http server: handler threw on {} {}: {}", MethodLabel(request.method),
                  service.routes().LabelFor(request), e.what());
  } catch (...) {
    spdlog::error("http server: handler threw on {} {}", MethodLabel(request.method),
                  service.routes().LabelFor(request));
  }
  return JsonError(500, "internal", "internal error");
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// One chunk of a chunked body (RFC 9112 7.1): size in hex, CRLF, the bytes, CRLF.
std::string Chunk(std::string_view bytes) {
  char size[20];
  int n = std::snprintf(size, sizeof(size), "%zx\r\n", bytes.size());
  std::string chunk;
  chunk.reserve(static_cast<size_t>(n) + bytes.size() + 2);
  chunk.append(size, static_cast<size_t>(n));
  chunk.append(bytes);
  chunk.append("\r\n");
  return chunk;
}

// What the header says the server cannot or will not do, as the answer to send; nullopt when
// the request may go on. Checked before any body byte is read.
//   - HTTP/1.1 requires exactly one Host (RFC 9112 3.2): none or several is 400.
//   - The only transfer coding Pictor decodes is chunked, once: anything else is 501
//     (RFC 9112 6.1), rather than a body read as if the coding were not there.
//   - The only expectation defined is 100-continue; any other is 417 (RFC 9110 10.1.1).
std::optional<HttpResponse> RefusalFor(const bhttp::request<bhttp::string_body>& header) {
  if (header.version() >= 11 && header.count(bhttp::field::host) != 1) {
    return JsonError(400, "bad_host", "an HTTP/1.1 request needs exactly one Host header");
  }
  int codings = 0;
  for (const auto& field : header) {
    std::string_view value = ToView(field.value());
    if (field.name() == bhttp::field::transfer_encoding) {
      while (!value.empty()) {
        size_t comma = value.find(',');
        std::string_view coding = TrimOws(value.substr(0, comma));
        value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
        if (coding.empty()) continue;
        if (!EqualsIgnoreCase(coding, "chunked") || ++codings > 1) {
          return JsonError(501, "unsupported_transfer_encoding",
                           "the only transfer coding accepted is a single chunked");
        }
      }
    } else if (field.name() == bhttp::field::expect &&
               !EqualsIgnoreCase(TrimOws(value), "100-continue")) {
      return JsonError(417, "expectation_failed", "the only expectation accepted is 100-continue");
    }
  }
  return std::nullopt;
}

template <class Stream>
Stream MakeStream(tcp::socket socket, ssl::context* tls) {
  if constexpr (std::is_same_v<Stream, TlsStream>) {
    return Stream(std::move(socket), *tls);
  } else {
    return Stream(std::move(socket));
  }
}

}  // namespace

bool ServerState::Admit(const std::string& address) {
  std::lock_guard lock(connections_mutex);
  if (admitted >= options.max_connections) return false;
  size_t& from_address = per_address[address];
  if (from_address >= options.max_connections_per_address) {
    if (from_address == 0) per_address.erase(address);
    return false;
  }
  ++from_address;
  ++admitted;
  return true;
}

template <class Stream>
Connection<Stream>::Connection(tcp::socket socket, std::shared_ptr<ssl::context> tls,
                               std::string address, std::shared_ptr<ServerState> state,
                               asio::thread_pool& pool)
    : tls_context_(std::move(tls)),
      stream_(MakeStream<Stream>(std::move(socket), tls_context_.get())),
      state_(std::move(state)),
      blocking_pool_(pool),
      remote_address_(std::move(address)) {}

// What a streaming response writes through: posts each write to the connection's strand. Holds
// the connection weakly, so a stream that keeps its sink keeps no connection alive, and never
// runs connection code on the caller's thread (which may hold the stream's own locks).
template <class Stream>
class Connection<Stream>::Sink final : public ResponseSink {
 public:
  Sink(std::weak_ptr<Connection> connection, asio::any_io_executor executor)
      : connection_(std::move(connection)), executor_(std::move(executor)) {}

  void Write(std::string bytes, bool last) override {
    asio::post(executor_, [connection = connection_, bytes = std::move(bytes), last]() mutable {
      if (auto self = connection.lock()) self->StreamWrite(std::move(bytes), last);
    });
  }

 private:
  const std::weak_ptr<Connection> connection_;
  const asio::any_io_executor executor_;
};

template <class Stream>
Connection<Stream>::~Connection() {
  if (stream_source_) stream_source_->Stop();
  std::lock_guard lock(state_->connections_mutex);
  state_->connections.erase(this);
  if (auto it = state_->per_address.find(remote_address_); it != state_->per_address.end()) {
    if (--it->second == 0) state_->per_address.erase(it);
  }
  --state_->admitted;
  if (state_->connections.empty()) state_->all_closed.notify_all();
}

template <class Stream>
void Connection<Stream>::Start() {
  {
    std::lock_guard lock(state_->connections_mutex);
    state_->connections.emplace(this, this->weak_from_this());
  }
  asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
    if constexpr (kTls) {
      self->AwaitHandshake();
    } else {
      self->AwaitRequest();
    }
  });
}

template <class Stream>
void Connection<Stream>::Shutdown() {
  asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
    self->shutdown_requested_ = true;
    // A stream has no end in sight: its client reconnects (with Last-Event-ID) elsewhere.
    if (self->phase_ == Phase::kIdle || self->phase_ == Phase::kClosing ||
        self->phase_ == Phase::kHandshake || self->phase_ == Phase::kStreaming) {
      self->Close();
    }
  });
}

// The whole handshake, from the accept to its last message, runs under one request_timeout: a
// client trickling its ClientHello (or sending nothing) is cut off like a slow request. The
// idle_timeout of the first request starts only once the handshake is done.
template <class Stream>
void Connection<Stream>::AwaitHandshake() {
  phase_ = Phase::kHandshake;
  tcp().expires_after(options().request_timeout);
  tcp().async_read_some(buffer_.prepare(kReadChunk),
                        [self = this->shared_from_this()](error_code ec, size_t n) {
                          self->buffer_.commit(n);
                          if (ec) return self->Close();
                          self->OnFirstBytes();
                        });
}

template <class Stream>
void Connection<Stream>::OnFirstBytes() {
  if constexpr (kTls) {
    const auto* first = static_cast<const unsigned char*>(buffer_.data().data());
    if (*first != kTlsHandshakeRecord) return RefusePlainHttp();
    if (shutdown_requested_ || state_->stopping) return Close();
    stream_.async_handshake(ssl::stream_base::server, buffer_.data(),
                            [self = this->shared_from_this()](error_code ec, size_t used) {
                              if (ec) {
                                // A client that does not trust the certificate, offers no protocol
                                // or cipher we accept, or goes away: routine on a public port, so
                                // not worth more than debug.
                                spdlog::debug("http server: TLS handshake from {} failed: {}",
                                              self->remote_address_, ec.message());
                                return self->Close();
                              }
                              self->buffer_.consume(used);
                              // The handshake takes all of its first read (up to 16 KiB, under
                              // OpenSSL's 17 KiB input buffer); bytes left over mean a first
                              // flight no client sends.
                              if (self->buffer_.size() > 0) return self->Close();
                              self->AwaitRequest();
                            });
  }
}

// Plain HTTP sent to the TLS port: the first byte is a letter of a method, not a TLS record.
// Answered in plain HTTP, as nginx does, so the person at the other end learns why; anything
// else that is not TLS is closed without a word.
template <class Stream>
void Connection<Stream>::RefusePlainHttp() {
  const auto* first = static_cast<const unsigned char*>(buffer_.data().data());
  if (*first < 'A' || *first > 'Z') return Close();
  phase_ = Phase::kWriting;
  static const std::string kRefusal = [] {
    const std::string body =
        "{\"message\": \"this port speaks HTTPS: use an https:// URL\", "
        "\"error\": \"tls_required\"}";
    return "HTTP/1.1 400 Bad Request\r\nServer: pictor\r\nContent-Type: application/json\r\n"
           "X-Content-Type-Options: nosniff\r\nConnection: close\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }();
  asio::async_write(tcp(), asio::buffer(kRefusal),
                    [self = this->shared_from_this()](error_code ec, size_t) {
                      if (ec) return self->Close();
                      self->TcpLingeringClose();
                    });
}

template <class Stream>
void Connection<Stream>::AwaitRequest() {
  if (shutdown_requested_ || state_->stopping) return Close();
  phase_ = Phase::kIdle;
  if (buffer_.size() > 0) return ReadHeader();  // a pipelined request is already here
  tcp().expires_after(options().idle_timeout);
  stream_.async_read_some(buffer_.prepare(kReadChunk),
                          [self = this->shared_from_this()](error_code ec, size_t n) {
                            self->buffer_.commit(n);
                            if (ec) return self->Close();
                            self->ReadHeader();
                          });
}

template <class Stream>
void Connection<Stream>::ReadHeader() {
  phase_ = Phase::kReading;
  request_id_.clear();
  access_route_.clear();
  request_start_ = std::chrono::steady_clock::now();
  parser_.emplace();
  parser_->body_limit(options().max_body_bytes);
  parser_->header_limit(static_cast<uint32_t>(options().max_header_bytes));
  tcp().expires_after(options().request_timeout);
  bhttp::async_read_header(stream_, buffer_, *parser_,
                           [self = this->shared_from_this()](error_code ec, size_t) {
                             if (ec) return self->OnReadError(ec);
                             self->OnHeader();
                           });
}

template <class Stream>
void Connection<Stream>::OnHeader() {
  const auto& header = parser_->get();
  BeginRequestLog(header);
  if (std::optional<HttpResponse> refusal = RefusalFor(header)) {
    return RespondAndClose(std::move(*refusal));
  }
  if (header.count(bhttp::field::expect) > 0 && header.version() >= 11 && !parser_->is_done()) {
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                      [self = this->shared_from_this()](error_code ec, size_t) {
                        if (ec) return self->Close();
                        self->ReadBody();
                      });
    return;
  }
  ReadBody();
}

template <class Stream>
void Connection<Stream>::ReadBody() {
  if (parser_->is_done()) return OnRequest();
  bhttp::async_read(stream_, buffer_, *parser_,
                    [self = this->shared_from_this()](error_code ec, size_t) {
                      if (ec) return self->OnReadError(ec);
                      self->OnRequest();
                    });
}

// Parse errors of the HTTP category get an answer; transport errors, timeouts and a peer that
// went away mid-message just close.
template <class Stream>
void Connection<Stream>::OnReadError(error_code ec) {
  if (ec == bhttp::error::body_limit) {
    // The header is parsed: the service words the refusal for its route family (OpenAI's shape
    // under /v1/).
    const std::string target(parser_->get().target());
    return RespondAndClose(state_->service.EarlyRefusal(
        target, 413,
        Status::PayloadTooLarge("request body exceeds " + std::to_string(options().max_body_bytes) +
                                " bytes")));
  }
  if (ec == bhttp::error::header_limit) {
    return RespondAndClose(JsonError(431, "header_too_large", "request header too large"));
  }
  const auto& http_category = bhttp::make_error_code(bhttp::error::bad_target).category();
  if (ec.category() == http_category && ec != bhttp::error::end_of_stream &&
      ec != bhttp::error::partial_message) {
    return RespondAndClose(JsonError(400, "bad_request", "malformed HTTP request"));
  }
  Close();
}

template <class Stream>
void Connection<Stream>::RespondAndClose(HttpResponse response) {
  keep_alive_ = false;
  head_ = false;
  version_ = parser_ && parser_->is_header_done() ? parser_->get().version() : 11;
  Respond(std::move(response));
}

// Turns the parsed message into an HttpRequest; nullopt (after answering 400) when the target
// does not decode.
template <class Stream>
std::optional<HttpRequest> Connection<Stream>::TakeRequest() {
  bhttp::request<bhttp::string_body> message = parser_->release();
  parser_.reset();
  version_ = message.version();
  keep_alive_ = message.keep_alive();
  head_ = message.method() == bhttp::verb::head;

  std::string_view target(message.target().data(), message.target().size());
  std::string_view query;
  if (size_t q = target.find('?'); q != std::string_view::npos) {
    query = target.substr(q + 1);
    target = target.substr(0, q);
  }
  if (size_t scheme = target.find("://");
      scheme != std::string_view::npos && target.front() != '/') {  // absolute-form
    size_t slash = target.find('/', scheme + 3);
    target = slash == std::string_view::npos ? "/" : target.substr(slash);
  }
  std::optional<std::string> path;
  if (!target.empty() && (target.front() == '/' || target == "*")) path = PercentDecode(target);
  if (!path) {
    Respond(JsonError(400, "invalid_path", "request path is not a valid percent-encoded path"));
    return std::nullopt;
  }

  HttpRequest request;
  request.method = ToString(message.method_string());
  request.path = std::move(*path);
  request.query = std::string(query);
  for (const auto& field : message) {
    request.headers.Add(ToString(field.name_string()), ToString(field.value()));
  }
  request.body = std::move(message.body());
  request.remote_address = remote_address_;
  request.tls = kTls;
  return request;
}

template <class Stream>
void Connection<Stream>::OnRequest() {
  std::optional<HttpRequest> request = TakeRequest();
  if (!request) return;
  request->request_id = request_id_;
  access_route_ = std::string(MethodLabel(request->method)) + " " +
                  std::string(state_->service.routes().LabelFor(*request));
  phase_ = Phase::kHandling;
  if (!state_->service.routes().MayBlock(*request)) {
    return Respond(InvokeService(state_->service, *request));
  }
  asio::post(blocking_pool_, [self = this->shared_from_this(), request = std::move(*request)] {
    HttpResponse response = InvokeService(self->state_->service, request);
    asio::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
      self->Respond(std::move(response));
    });
  });
}

template <class Stream>
void Connection<Stream>::Respond(HttpResponse response) {
  if (response.stream) {
    if (response.status == 200) return StartStream(std::move(response));
    response.stream->Stop();  // a refusal is an ordinary response
    response.stream.reset();
  }
  phase_ = Phase::kWriting;
  if (response.status < 100 || response.status > 999) {
    response = JsonError(500, "internal", "internal error");
  }
  StampRequestId(response);
  LogAccess(response.status, response.body.size(), /*streamed=*/false);
  auto message = std::make_shared<bhttp::response<bhttp::string_body>>();
  message->version(version_);
  message->result(static_cast<unsigned>(response.status));
  message->reason(ToBeast(ReasonPhrase(response.status)));
  bool has_length = false, has_date = false, has_server = false, has_nosniff = false;
  bool service_closes = false;
  for (const auto& [name, value] : response.headers.fields()) {
    service_closes |= EqualsIgnoreCase(name, "Connection") && EqualsIgnoreCase(value, "close");
    has_length |= EqualsIgnoreCase(name, "Content-Length");
    has_date |= EqualsIgnoreCase(name, "Date");
    has_server |= EqualsIgnoreCase(name, "Server");
    has_nosniff |= EqualsIgnoreCase(name, "X-Content-Type-Options");
    message->insert(ToBeast(name), ToBeast(value));
  }
  if (!has_date) message->set(bhttp::field::date, ToBeast(HttpDate()));
  if (!has_server) message->set(bhttp::field::server, ToBeast(kServerName));
  // Every body is what its Content-Type says: a browser must not guess HTML into a PNG or JSON.
  if (!has_nosniff) message->set("X-Content-Type-Options", "nosniff");
  bool bodyless = response.status < 200 || response.status == 204 || response.status == 304;
  if (bodyless) {
    response.body.clear();
  } else if (!has_length) {
    message->content_length(response.body.size());
  }
  if (!head_) message->body() = std::move(response.body);
  bool keep_alive = keep_alive_ && !service_closes && !shutdown_requested_ && !state_->stopping;
  message->keep_alive(keep_alive);

  tcp().expires_after(options().request_timeout);
  bhttp::async_write(stream_, *message,
                     [self = this->shared_from_this(), message, keep_alive](error_code ec, size_t) {
                       if (ec) return self->Close();
                       if (keep_alive) return self->AwaitRequest();
                       self->LingeringClose();
                     });
}

// The request's id: the client's X-Request-Id when it is one Pictor accepts, else a new UUID.
template <class Stream>
void Connection<Stream>::BeginRequestLog(const bhttp::request<bhttp::string_body>& header) {
  auto given = header.find("X-Request-Id");
  if (given != header.end() && header.count("X-Request-Id") == 1 &&
      IsAcceptableRequestId(ToView(given->value()))) {
    request_id_ = std::string(ToView(given->value()));
  } else {
    request_id_ = NewUuid();
  }
  access_route_ = std::string(MethodLabel(ToView(header.method_string()))) + " -";
}

// Every answer names its request, refusals before the header was read whole included.
template <class Stream>
void Connection<Stream>::StampRequestId(HttpResponse& response) {
  if (request_id_.empty()) request_id_ = NewUuid();
  if (!response.headers.Get("X-Request-Id")) response.headers.Add("X-Request-Id", request_id_);
}

// One line per answer. Probes and scrapes (the liveness and readiness checks, /metrics) come
// every few seconds and say nothing new: at debug.
template <class Stream>
void Connection<Stream>::LogAccess(int status, size_t body_bytes, bool streamed) {
  LogScope request_scope(LogField::kRequestId, request_id_);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - request_start_)
                      .count();
  const std::string& route = access_route_.empty() ? std::string("- -") : access_route_;
  const bool probe = route == "GET /healthz" || route == "GET /readyz" || route == "GET /metrics";
  spdlog::log(probe ? spdlog::level::debug : spdlog::level::info,
              "http {} {} {} bytes{} in {} ms from {}", route, status, body_bytes,
              streamed ? " (streaming)" : "", ms, remote_address_);
}

// The header of a streaming response goes out at once, without Content-Length: over HTTP/1.1
// the body is chunked, so the connection may serve further requests once the stream ends; over
// HTTP/1.0 the close ends it. Then the stream writes (StreamWrite, on this strand), and a
// keepalive goes out every keepalive_interval while the connection is open.
template <class Stream>
void Connection<Stream>::StartStream(HttpResponse response) {
  phase_ = Phase::kStreaming;
  stream_ended_ = false;  // a kept connection may have carried a stream before this one
  StampRequestId(response);
  LogAccess(200, 0, /*streamed=*/true);
  stream_source_ = std::move(response.stream);
  keepalive_ = stream_source_->keepalive();
  keepalive_interval_ = stream_source_->keepalive_interval();
  chunked_ = version_ >= 11;
  bool service_closes = false;
  std::string header = version_ >= 11 ? "HTTP/1.1 200 OK\r\n" : "HTTP/1.0 200 OK\r\n";
  bool has_date = false, has_server = false, has_nosniff = false;
  for (const auto& [name, value] : response.headers.fields()) {
    if (EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Transfer-Encoding")) {
      continue;
    }
    if (EqualsIgnoreCase(name, "Connection")) {
      service_closes |= EqualsIgnoreCase(value, "close");
      continue;
    }
    has_date |= EqualsIgnoreCase(name, "Date");
    has_server |= EqualsIgnoreCase(name, "Server");
    has_nosniff |= EqualsIgnoreCase(name, "X-Content-Type-Options");
    header.append(name).append(": ").append(value).append("\r\n");
  }
  if (!has_date) header.append("Date: ").append(HttpDate()).append("\r\n");
  if (!has_server) header.append("Server: ").append(kServerName).append("\r\n");
  if (!has_nosniff) header.append("X-Content-Type-Options: nosniff\r\n");
  if (chunked_) header.append("Transfer-Encoding: chunked\r\n");
  stream_keep_alive_ = chunked_ && keep_alive_ && !service_closes;
  if (version_ >= 11 && !stream_keep_alive_) header.append("Connection: close\r\n");
  header.append("\r\n");
  stream_outbox_.push_back(std::move(header));

  if (head_ || shutdown_requested_ || state_->stopping) {
    ReleaseStream();
    stream_ended_ = true;  // HEAD: the header alone; a stopping server: an empty body
    if (!head_ && chunked_) stream_outbox_.emplace_back("0\r\n\r\n");
    return FlushStream();
  }
  // With a pipelined request already read, the next request is known: no read until the stream
  // ends (a client gone is then seen by a write).
  if (buffer_.size() == 0) WatchPeer();
  FlushStream();
  ArmKeepalive();
  stream_source_->Start(std::make_shared<Sink>(this->weak_from_this(), stream_.get_executor()));
}

// A read left pending for the whole stream, without a timeout: its completion says the client
// went away (an error: close, which stops the stream) or sent bytes (a pipelined request, kept
// in buffer_ for when the stream ends). After a kept stream it is the idle read of the next
// request.
template <class Stream>
void Connection<Stream>::WatchPeer() {
  tcp().expires_never();
  peer_read_pending_ = true;
  stream_.async_read_some(buffer_.prepare(kReadChunk),
                          [self = this->shared_from_this()](error_code ec, size_t n) {
                            self->peer_read_pending_ = false;
                            self->buffer_.commit(n);
                            if (ec || self->closed_) return self->Close();
                            if (self->phase_ == Phase::kIdle) {
                              if (self->keepalive_timer_) self->keepalive_timer_->cancel();
                              self->ReadHeader();
                            }
                          });
}

template <class Stream>
void Connection<Stream>::ArmKeepalive() {
  if (!keepalive_timer_) keepalive_timer_.emplace(stream_.get_executor());
  keepalive_timer_->expires_after(keepalive_interval_);
  keepalive_timer_->async_wait([self = this->shared_from_this()](error_code ec) {
    if (ec || self->closed_ || self->phase_ != Phase::kStreaming || self->stream_ended_) return;
    if (!self->write_in_flight_ && self->stream_outbox_.empty()) {
      self->stream_outbox_.push_back(self->chunked_ ? Chunk(self->keepalive_) : self->keepalive_);
      self->FlushStream();
    }
    self->ArmKeepalive();
  });
}

template <class Stream>
void Connection<Stream>::StreamWrite(std::string bytes, bool last) {
  if (closed_ || phase_ != Phase::kStreaming || stream_ended_) return;
  if (!bytes.empty()) stream_outbox_.push_back(chunked_ ? Chunk(bytes) : std::move(bytes));
  if (last) {
    stream_ended_ = true;
    if (chunked_) stream_outbox_.emplace_back("0\r\n\r\n");
    ReleaseStream();
  }
  FlushStream();
}

// One write at a time, of everything queued so far. A client that does not read is cut off by
// the write's request_timeout.
template <class Stream>
void Connection<Stream>::FlushStream() {
  if (write_in_flight_ || closed_) return;
  if (stream_outbox_.empty()) {
    if (stream_ended_) FinishStream();
    return;
  }
  stream_writing_.clear();
  for (std::string& bytes : stream_outbox_) stream_writing_ += bytes;
  stream_outbox_.clear();
  write_in_flight_ = true;
  tcp().expires_after(options().request_timeout);  // the pending read keeps no timeout
  asio::async_write(stream_, asio::buffer(stream_writing_),
                    [self = this->shared_from_this()](error_code ec, size_t) {
                      self->write_in_flight_ = false;
                      if (ec) return self->Close();
                      self->FlushStream();
                    });
}

// The body is written. A kept connection waits for its next request (the pending read, now
// under idle_timeout); any other closes. No lingering close here: a read is pending, and an SSE
// client sends nothing while it listens, so nothing unread can turn the close into a reset.
template <class Stream>
void Connection<Stream>::FinishStream() {
  if (!stream_keep_alive_ || shutdown_requested_ || state_->stopping) return Close();
  if (!peer_read_pending_) return AwaitRequest();  // HEAD, or bytes already came
  phase_ = Phase::kIdle;
  if (!keepalive_timer_) keepalive_timer_.emplace(stream_.get_executor());
  keepalive_timer_->expires_after(options().idle_timeout);
  keepalive_timer_->async_wait([self = this->shared_from_this()](error_code ec) {
    if (!ec && self->phase_ == Phase::kIdle && self->peer_read_pending_) self->Close();
  });
}

template <class Stream>
void Connection<Stream>::ReleaseStream() {
  if (!stream_source_) return;
  std::shared_ptr<ResponseStream> source = std::move(stream_source_);
  source->Stop();
}

// After the last response. Over TLS the close_notify alert goes first (bounded by kLingerTime
// like the drain of plain TCP): a client then knows the response ended where the server meant.
template <class Stream>
void Connection<Stream>::LingeringClose() {
  phase_ = Phase::kClosing;
  if (shutdown_requested_) return Close();
  if constexpr (kTls) {
    tcp().expires_after(kLingerTime);
    stream_.async_shutdown([self = this->shared_from_this()](error_code) { self->Close(); });
  } else {
    TcpLingeringClose();
  }
}

template <class Stream>
void Connection<Stream>::TcpLingeringClose() {
  phase_ = Phase::kClosing;
  if (shutdown_requested_) return Close();
  error_code ec;
  tcp().socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) return Close();
  buffer_.consume(buffer_.size());
  tcp().expires_after(kLingerTime);
  Drain();
}

template <class Stream>
void Connection<Stream>::Drain() {
  tcp().async_read_some(buffer_.prepare(kReadChunk),
                        [self = this->shared_from_this()](error_code ec, size_t n) {
                          self->drained_ += n;
                          if (ec || self->drained_ > kLingerBytes) return self->Close();
                          self->Drain();
                        });
}

template <class Stream>
void Connection<Stream>::Close() {
  if (closed_) return;
  closed_ = true;
  ReleaseStream();
  if (keepalive_timer_) keepalive_timer_->cancel();
  error_code ec;
  tcp().socket().shutdown(tcp::socket::shutdown_both, ec);
  tcp().close();
}

template class Connection<PlainStream>;
template class Connection<TlsStream>;

}  // namespace pictor::http
