// HttpServer on Boost.Beast: one asynchronous state machine per connection (connection.cc), all
// of them driven by an io_context run on `io_threads` threads; requests the service says may
// block run on a separate thread pool so a slow model call never holds an event-loop thread.
//
// Admission happens at accept: beyond max_connections in all, or max_connections_per_address
// from one remote address, a socket is closed at once, so one client holding many slow
// connections cannot take every slot.
#include "http/server.h"

#include <nlohmann/json.hpp>

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <exception>
#include <thread>
#include <utility>
#include <vector>

#include "http/connection.h"
#include "http/tls_server_context.h"

namespace pictor::http {

HttpResponse HttpService::EarlyRefusal(std::string_view /*target*/, int http_status,
                                       const Status& status) {
  HttpResponse response;
  response.status = http_status;
  response.headers.Add("Content-Type", "application/json");
  nlohmann::json body = {{"message", status.message()}, {"error", status.reason()}};
  response.body = body.dump();
  return response;
}
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

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
    std::vector<std::shared_ptr<OpenConnection>> live;
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
        spdlog::error("http server: event loop error: {}", e.what());
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
    tcp::endpoint remote = socket.remote_endpoint(ignored);
    std::string address = ignored ? std::string() : remote.address().to_string();
    if (state_->stopping || ignored || !state_->Admit(address)) {
      socket.close(ignored);  // over a limit (or already gone): refuse at once rather than queue
    } else if (state_->options.tls) {
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<Connection<TlsStream>>(std::move(socket), state_->options.tls->Current(),
                                              std::move(address), state_, blocking_pool_)
          ->Start();
    } else {
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<Connection<PlainStream>>(std::move(socket), nullptr, std::move(address),
                                                state_, blocking_pool_)
          ->Start();
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
  if (options.max_connections < 1 || options.max_connections_per_address < 1) {
    return Status::InvalidArgument(
        "max_connections and max_connections_per_address must be at "
        "least 1");
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
