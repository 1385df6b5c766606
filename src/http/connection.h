// Private to the HTTP server: the state the server shares with its connections, and one
// connection's asynchronous state machine. Only server.cc and connection.cc include this.
#ifndef PICTOR_HTTP_CONNECTION_H_
#define PICTOR_HTTP_CONNECTION_H_

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "http/server.h"

namespace pictor::http {

class Connection;

// What the server and its connections share. Connections hold it by shared_ptr so that those
// destroyed along with the io_context can still deregister.
struct ServerState {
  ServerState(const ServerOptions& o, HttpService& s) : options(o), service(s) {}

  // Counts a new connection from `address` when both the global and the per-address limits
  // allow it; false (nothing counted) otherwise.
  bool Admit(const std::string& address);

  const ServerOptions options;
  HttpService& service;
  std::atomic<bool> stopping{false};
  // Guards `connections` and `per_address`; `all_closed` waits on it.
  std::mutex connections_mutex;
  std::condition_variable all_closed;
  std::unordered_map<const Connection*, std::weak_ptr<Connection>> connections;
  std::unordered_map<std::string, size_t> per_address;  // open connections by remote address
  size_t admitted = 0;  // connections counted by Admit and not yet destroyed
};

// One accepted socket. Every member function runs on the connection's strand except Shutdown,
// which may be called from any thread. Owned by the pending asynchronous operations.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // `address` was counted by state->Admit; the destructor releases it.
  Connection(boost::asio::ip::tcp::socket socket, std::string address,
             std::shared_ptr<ServerState> state, boost::asio::thread_pool& pool);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Registers with the server and starts reading. Called once, right after construction.
  void Start();

  // Asks the connection to finish: closed now when idle, after its response otherwise.
  void Shutdown();

 private:
  enum class Phase { kIdle, kReading, kHandling, kWriting, kClosing };
  using error_code = boost::system::error_code;

  const ServerOptions& options() const { return state_->options; }

  void AwaitRequest();
  void ReadHeader();
  void OnHeader();
  void ReadBody();
  void OnReadError(error_code ec);
  void RespondAndClose(HttpResponse response);
  std::optional<HttpRequest> TakeRequest();
  void OnRequest();
  void Respond(HttpResponse response);
  void LingeringClose();
  void Drain();
  void Close();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<ServerState> state_;
  boost::asio::thread_pool& blocking_pool_;
  const std::string remote_address_;
  Phase phase_ = Phase::kIdle;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool head_ = false;
  bool shutdown_requested_ = false;
  bool closed_ = false;
  size_t drained_ = 0;
};

}  // namespace pictor::http

#endif  // PICTOR_HTTP_CONNECTION_H_
