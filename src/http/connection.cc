// One connection of HttpServer: an asynchronous state machine on its own strand.
//
// A connection walks through these phases, each an asynchronous operation on its strand:
//   idle     waiting for the first byte of the next request        (idle_timeout)
//   reading  header (checked: Host, Transfer-Encoding, Expect), then an optional
//            "100 Continue", then body                              (request_timeout)
//   handling inline on the io thread, or on the blocking pool
//   writing  the response                                           (request_timeout)
//   closing  send side shut, unread input drained so the peer sees the response, not a reset
#include "http/connection.h"

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>
#include <ctime>
#include <exception>
#include <string_view>
#include <utility>

#include "core/ascii.h"
#include "core/percent_encoding.h"
#include "http/labels.h"

namespace pictor::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

// No version: it would tell an attacker which known defects to try.
constexpr std::string_view kServerName = "pictor";
constexpr size_t kReadChunk = 16 * 1024;
// How long, and how much, a closing connection keeps reading so that unread request bytes do
// not turn our close into a reset that destroys the response in the peer's buffers.
constexpr std::chrono::seconds kLingerTime{2};
constexpr size_t kLingerBytes = 1024 * 1024;

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

Connection::Connection(tcp::socket socket, std::string address, std::shared_ptr<ServerState> state,
                       asio::thread_pool& pool)
    : stream_(std::move(socket)),
      state_(std::move(state)),
      blocking_pool_(pool),
      remote_address_(std::move(address)) {}

Connection::~Connection() {
  std::lock_guard lock(state_->connections_mutex);
  state_->connections.erase(this);
  if (auto it = state_->per_address.find(remote_address_); it != state_->per_address.end()) {
    if (--it->second == 0) state_->per_address.erase(it);
  }
  --state_->admitted;
  if (state_->connections.empty()) state_->all_closed.notify_all();
}

void Connection::Start() {
  {
    std::lock_guard lock(state_->connections_mutex);
    state_->connections.emplace(this, weak_from_this());
  }
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->AwaitRequest(); });
}

void Connection::Shutdown() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    self->shutdown_requested_ = true;
    if (self->phase_ == Phase::kIdle || self->phase_ == Phase::kClosing) self->Close();
  });
}

void Connection::AwaitRequest() {
  if (shutdown_requested_ || state_->stopping) return Close();
  phase_ = Phase::kIdle;
  if (buffer_.size() > 0) return ReadHeader();  // a pipelined request is already here
  stream_.expires_after(options().idle_timeout);
  stream_.async_read_some(buffer_.prepare(kReadChunk),
                          [self = shared_from_this()](error_code ec, size_t n) {
                            self->buffer_.commit(n);
                            if (ec) return self->Close();
                            self->ReadHeader();
                          });
}

void Connection::ReadHeader() {
  phase_ = Phase::kReading;
  parser_.emplace();
  parser_->body_limit(options().max_body_bytes);
  parser_->header_limit(static_cast<uint32_t>(options().max_header_bytes));
  stream_.expires_after(options().request_timeout);
  bhttp::async_read_header(stream_, buffer_, *parser_,
                           [self = shared_from_this()](error_code ec, size_t) {
                             if (ec) return self->OnReadError(ec);
                             self->OnHeader();
                           });
}

void Connection::OnHeader() {
  const auto& header = parser_->get();
  if (std::optional<HttpResponse> refusal = RefusalFor(header)) {
    return RespondAndClose(std::move(*refusal));
  }
  if (header.count(bhttp::field::expect) > 0 && header.version() >= 11 && !parser_->is_done()) {
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                      [self = shared_from_this()](error_code ec, size_t) {
                        if (ec) return self->Close();
                        self->ReadBody();
                      });
    return;
  }
  ReadBody();
}

void Connection::ReadBody() {
  if (parser_->is_done()) return OnRequest();
  bhttp::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](error_code ec, size_t) {
    if (ec) return self->OnReadError(ec);
    self->OnRequest();
  });
}

// Parse errors of the HTTP category get an answer; transport errors, timeouts and a peer that
// went away mid-message just close.
void Connection::OnReadError(error_code ec) {
  if (ec == bhttp::error::body_limit) {
    return RespondAndClose(
        JsonError(413, "payload_too_large",
                  "request body exceeds " + std::to_string(options().max_body_bytes) + " bytes"));
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

void Connection::RespondAndClose(HttpResponse response) {
  keep_alive_ = false;
  head_ = false;
  version_ = parser_ && parser_->is_header_done() ? parser_->get().version() : 11;
  Respond(std::move(response));
}

// Turns the parsed message into an HttpRequest; nullopt (after answering 400) when the target
// does not decode.
std::optional<HttpRequest> Connection::TakeRequest() {
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
  return request;
}

void Connection::OnRequest() {
  std::optional<HttpRequest> request = TakeRequest();
  if (!request) return;
  phase_ = Phase::kHandling;
  if (!state_->service.routes().MayBlock(*request)) {
    return Respond(InvokeService(state_->service, *request));
  }
  asio::post(blocking_pool_, [self = shared_from_this(), request = std::move(*request)] {
    HttpResponse response = InvokeService(self->state_->service, request);
    asio::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
      self->Respond(std::move(response));
    });
  });
}

void Connection::Respond(HttpResponse response) {
  phase_ = Phase::kWriting;
  if (response.status < 100 || response.status > 999) {
    response = JsonError(500, "internal", "internal error");
  }
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

  stream_.expires_after(options().request_timeout);
  bhttp::async_write(stream_, *message,
                     [self = shared_from_this(), message, keep_alive](error_code ec, size_t) {
                       if (ec) return self->Close();
                       if (keep_alive) return self->AwaitRequest();
                       self->LingeringClose();
                     });
}

void Connection::LingeringClose() {
  phase_ = Phase::kClosing;
  if (shutdown_requested_) return Close();
  error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) return Close();
  buffer_.consume(buffer_.size());
  stream_.expires_after(kLingerTime);
  Drain();
}

void Connection::Drain() {
  stream_.async_read_some(buffer_.prepare(kReadChunk),
                          [self = shared_from_this()](error_code ec, size_t n) {
                            self->drained_ += n;
                            if (ec || self->drained_ > kLingerBytes) return self->Close();
                            self->Drain();
                          });
}

void Connection::Close() {
  if (closed_) return;
  closed_ = true;
  error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.close();
}

}  // namespace pictor::http
