// HttpServer on Boost.Beast: one asynchronous state machine per connection, all of them driven by
// an io_context run on `io_threads` threads; requests the service says may block run on a
// separate thread pool so a slow model call never holds an event-loop thread.
//
// A connection walks through these phases, each an asynchronous operation on its strand:
//   idle     waiting for the first byte of the next request        (idle_timeout)
//   reading  header, then an optional "100 Continue", then body     (request_timeout)
//   handling inline on the io thread, or on the blocking pool
//   writing  the response                                           (request_timeout)
//   closing  send side shut, unread input drained so the peer sees the response, not a reset
#include "http/server.h"

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace pictor::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

constexpr std::string_view kServerName = "pictor/" PICTOR_VERSION;
constexpr size_t kReadChunk = 16 * 1024;
// How long, and how much, a closing connection keeps reading so that unread request bytes do
// not turn our close into a reset that destroys the response in the peer's buffers.
constexpr std::chrono::seconds kLingerTime{2};
constexpr size_t kLingerBytes = 1024 * 1024;

beast::string_view ToBeast(std::string_view s) { return {s.data(), s.size()}; }
std::string ToString(beast::string_view s) { return {s.data(), s.size()}; }

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
HttpResponse InvokeService(HttpService& service, const HttpRequest& request) {
  try {
    return service.Handle(request);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pictor http: handler threw on %s %s: %s\n", request.method.c_str(),
                 request.path.c_str(), e.what());
  } catch (...) {
    std::fprintf(stderr, "pictor http: handler threw on %s %s\n", request.method.c_str(),
                 request.path.c_str());
  }
  return JsonError(500, "internal", "internal error");
}

class Connection;

// What the server and its connections share. Connections hold it by shared_ptr so that those
// destroyed along with the io_context can still deregister.
struct ServerState {
  ServerState(const ServerOptions& o, HttpService& s) : options(o), service(s) {}
  const ServerOptions options;
  HttpService& service;
  std::atomic<bool> stopping{false};
  std::mutex connections_mutex;  // guards `connections`; `all_closed` waits on it
  std::condition_variable all_closed;
  std::unordered_map<const Connection*, std::weak_ptr<Connection>> connections;
};

// One accepted socket. Every member function runs on the connection's strand except Shutdown,
// which may be called from any thread. Owned by the pending asynchronous operations.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, std::shared_ptr<ServerState> state, asio::thread_pool& pool)
      : stream_(std::move(socket)), state_(std::move(state)), blocking_pool_(pool) {
    error_code ec;
    tcp::endpoint remote = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_address_ = remote.address().to_string();
  }

  ~Connection() {
    std::lock_guard lock(state_->connections_mutex);
    state_->connections.erase(this);
    if (state_->connections.empty()) state_->all_closed.notify_all();
  }

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Registers with the server and starts reading. Called once, right after construction.
  void Start() {
    {
      std::lock_guard lock(state_->connections_mutex);
      state_->connections.emplace(this, weak_from_this());
    }
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->AwaitRequest(); });
  }

  // Asks the connection to finish: closed now when idle, after its response otherwise.
  void Shutdown() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      self->shutdown_requested_ = true;
      if (self->phase_ == Phase::kIdle || self->phase_ == Phase::kClosing) self->Close();
    });
  }

 private:
  enum class Phase { kIdle, kReading, kHandling, kWriting, kClosing };

  const ServerOptions& options() const { return state_->options; }

  void AwaitRequest() {
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

  void ReadHeader() {
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

  void OnHeader() {
    const auto& header = parser_->get();
    auto expect = header.find(bhttp::field::expect);
    if (expect != header.end() && beast::iequals(expect->value(), "100-continue") &&
        header.version() >= 11 && !parser_->is_done()) {
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

  void ReadBody() {
    if (parser_->is_done()) return OnRequest();
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](error_code ec, size_t) {
                        if (ec) return self->OnReadError(ec);
                        self->OnRequest();
                      });
  }

  // Parse errors of the HTTP category get an answer; transport errors, timeouts and a peer
  // that went away mid-message just close.
  void OnReadError(error_code ec) {
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

  void RespondAndClose(HttpResponse response) {
    keep_alive_ = false;
    head_ = false;
    version_ = parser_ && parser_->is_header_done() ? parser_->get().version() : 11;
    Respond(std::move(response));
  }

  // Turns the parsed message into an HttpRequest; nullopt (after answering 400) when the target
  // does not decode.
  std::optional<HttpRequest> TakeRequest() {
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

  void OnRequest() {
    std::optional<HttpRequest> request = TakeRequest();
    if (!request) return;
    phase_ = Phase::kHandling;
    bool may_block = false;
    try {
      may_block = state_->service.MayBlock(*request);
    } catch (...) {
      std::fprintf(stderr, "pictor http: MayBlock threw on %s %s\n", request->method.c_str(),
                   request->path.c_str());
      return Respond(JsonError(500, "internal", "internal error"));
    }
    if (!may_block) return Respond(InvokeService(state_->service, *request));
    asio::post(blocking_pool_, [self = shared_from_this(), request = std::move(*request)] {
      HttpResponse response = InvokeService(self->state_->service, request);
      asio::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->Respond(std::move(response));
      });
    });
  }

  void Respond(HttpResponse response) {
    phase_ = Phase::kWriting;
    if (response.status < 100 || response.status > 999) {
      response = JsonError(500, "internal", "internal error");
    }
    auto message = std::make_shared<bhttp::response<bhttp::string_body>>();
    message->version(version_);
    message->result(static_cast<unsigned>(response.status));
    message->reason(ToBeast(ReasonPhrase(response.status)));
    bool has_length = false, has_date = false, has_server = false, service_closes = false;
    for (const auto& [name, value] : response.headers.fields()) {
      service_closes |= EqualsIgnoreCase(name, "Connection") && EqualsIgnoreCase(value, "close");
      has_length |= EqualsIgnoreCase(name, "Content-Length");
      has_date |= EqualsIgnoreCase(name, "Date");
      has_server |= EqualsIgnoreCase(name, "Server");
      message->insert(ToBeast(name), ToBeast(value));
    }
    if (!has_date) message->set(bhttp::field::date, ToBeast(HttpDate()));
    if (!has_server) message->set(bhttp::field::server, ToBeast(kServerName));
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

  void LingeringClose() {
    phase_ = Phase::kClosing;
    if (shutdown_requested_) return Close();
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return Close();
    buffer_.consume(buffer_.size());
    stream_.expires_after(kLingerTime);
    Drain();
  }

  void Drain() {
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = shared_from_this()](error_code ec, size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > kLingerBytes) return self->Close();
                              self->Drain();
                            });
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<ServerState> state_;
  asio::thread_pool& blocking_pool_;
  std::string remote_address_;
  Phase phase_ = Phase::kIdle;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool head_ = false;
  bool shutdown_requested_ = false;
  bool closed_ = false;
  size_t drained_ = 0;
};

// Thread-safety: Start/Stop from one thread, as HttpServer says.
class BeastServer final : public HttpServer {
 public:
  BeastServer(const ServerOptions& options, HttpService& service)
      : state_(std::make_shared<ServerState>(options, service)),
        io_context_(options.io_threads),
        work_(asio::make_work_guard(io_context_)),
        acceptor_(asio::make_strand(io_context_)),
        retry_timer_(acceptor_.get_executor()),
        blocking_pool_(static_cast<size_t>(options.blocking_threads)) {}

  ~BeastServer() override { Stop(std::chrono::milliseconds(5000)); }

  Status Listen(const tcp::endpoint& endpoint) {
    error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      std::string what = "cannot listen on " + endpoint.address().to_string() + ":" +
                         std::to_string(endpoint.port()) + ": " + ec.message();
      if (ec == asio::error::access_denied) return Status::PermissionDenied(what);
      if (ec == boost::system::errc::address_not_available) return Status::InvalidArgument(what);
      return Status::Unavailable(what);
    }
    port_ = acceptor_.local_endpoint().port();
    return Status::Ok();
  }

  void Run() {
    asio::dispatch(acceptor_.get_executor(), [this] { Accept(); });
    for (int i = 0; i < state_->options.io_threads; ++i) {
      io_threads_.emplace_back([this] { RunLoop(); });
    }
  }

  uint16_t port() const override { return port_; }

  void Stop(std::chrono::milliseconds grace) override {
    if (stopped_) return;
    stopped_ = true;
    state_->stopping = true;
    asio::post(acceptor_.get_executor(), [this] {
      error_code ec;
      acceptor_.close(ec);
      retry_timer_.cancel();
    });
    std::vector<std::shared_ptr<Connection>> live;
    {
      std::lock_guard lock(state_->connections_mutex);
      for (const auto& [key, weak] : state_->connections) {
        if (auto connection = weak.lock()) live.push_back(std::move(connection));
      }
    }
    for (const auto& connection : live) connection->Shutdown();
    live.clear();  // outside the lock: the last reference may run ~Connection here
    {
      std::unique_lock lock(state_->connections_mutex);
      state_->all_closed.wait_for(lock, grace, [this] { return state_->connections.empty(); });
    }
    work_.reset();
    io_context_.stop();
    for (auto& thread : io_threads_) thread.join();
    io_threads_.clear();
    blocking_pool_.stop();
    blocking_pool_.join();
  }

 private:
  void RunLoop() {
    for (;;) {
      try {
        io_context_.run();
        return;
      } catch (const std::exception& e) {
        std::fprintf(stderr, "pictor http: event loop error: %s\n", e.what());
      }
    }
  }

  void Accept() {
    acceptor_.async_accept(
        asio::make_strand(io_context_),
        [this](error_code ec, tcp::socket socket) { OnAccept(ec, std::move(socket)); });
  }

  void OnAccept(error_code ec, tcp::socket socket) {
    if (!acceptor_.is_open() || ec == asio::error::operation_aborted) return;
    if (ec) {
      // Out of descriptors, typically: back off instead of spinning on the same error.
      retry_timer_.expires_after(std::chrono::milliseconds(50));
      retry_timer_.async_wait([this](error_code wait_ec) {
        if (!wait_ec && acceptor_.is_open()) Accept();
      });
      return;
    }
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    size_t open_connections;
    {
      std::lock_guard lock(state_->connections_mutex);
      open_connections = state_->connections.size();
    }
    if (state_->stopping || open_connections >= state_->options.max_connections) {
      socket.close(ignored);  // over the limit: refuse at once rather than queue
    } else {
      std::make_shared<Connection>(std::move(socket), state_, blocking_pool_)->Start();
    }
    Accept();
  }

  std::shared_ptr<ServerState> state_;
  asio::io_context io_context_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  tcp::acceptor acceptor_;
  asio::steady_timer retry_timer_;
  asio::thread_pool blocking_pool_;
  std::vector<std::thread> io_threads_;
  uint16_t port_ = 0;
  bool stopped_ = false;
};

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const ServerOptions& options,
                                                      HttpService& service) {
  if (options.io_threads < 1 || options.blocking_threads < 1) {
    return Status::InvalidArgument("io_threads and blocking_threads must be at least 1");
  }
  error_code ec;
  asio::ip::address address = options.host == "localhost"
                                  ? asio::ip::address(asio::ip::address_v4::loopback())
                                  : asio::ip::make_address(options.host, ec);
  if (ec) {
    return Status::InvalidArgument("host must be a numeric IPv4/IPv6 address or localhost: " +
                                   options.host);
  }
  auto server = std::make_unique<BeastServer>(options, service);
  if (Status status = server->Listen(tcp::endpoint(address, options.port)); !status.ok()) {
    return status;
  }
  server->Run();
  return std::unique_ptr<HttpServer>(std::move(server));
}

}  // namespace pictor::http
