// Private to the HTTP server: the state the server shares with its connections, and one
// connection's asynchronous state machine, over plain TCP or over TLS. Only server.cc and
// connection.cc include this.
#ifndef PICTOR_HTTP_CONNECTION_H_
#define PICTOR_HTTP_CONNECTION_H_

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>

#include "http/server.h"

namespace pictor::http {

// What the server may ask of any open connection, whatever it runs over.
class OpenConnection {
 public:
  virtual ~OpenConnection() = default;
  // Asks the connection to finish: closed now when idle or still in its TLS handshake, after
  // its response otherwise. May be called from any thread.
  virtual void Shutdown() = 0;
};

using PlainStream = boost::beast::tcp_stream;
using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

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
  std::unordered_map<const OpenConnection*, std::weak_ptr<OpenConnection>> connections;
  std::unordered_map<std::string, size_t> per_address;  // open connections by remote address
  size_t admitted = 0;  // connections counted by Admit and not yet destroyed
};

// One accepted socket, over PlainStream or TlsStream. Every member function runs on the
// connection's strand except Shutdown, which may be called from any thread. Owned by the pending
// asynchronous operations.
template <class Stream>
class Connection final : public OpenConnection,
                         public std::enable_shared_from_this<Connection<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  // `address` was counted by state->Admit; the destructor releases it. `tls` is the context
  // the TLS stream was made with (null for PlainStream), held for the connection's life.
  Connection(boost::asio::ip::tcp::socket socket, std::shared_ptr<boost::asio::ssl::context> tls,
             std::string address, std::shared_ptr<ServerState> state,
             boost::asio::thread_pool& pool);
  ~Connection() override;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Registers with the server and starts: the TLS handshake, then reading.
  void Start();

  void Shutdown() override;

 private:
  // kStreaming: the header of a streaming response is sent (or on its way) and its body follows
  // as the stream writes it (see StartStream).
  enum class Phase { kHandshake, kIdle, kReading, kHandling, kWriting, kStreaming, kClosing };
  class Sink;
  using error_code = boost::system::error_code;

  const ServerOptions& options() const { return state_->options; }
  boost::beast::tcp_stream& tcp() { return boost::beast::get_lowest_layer(stream_); }

  void AwaitHandshake();
  void OnFirstBytes();
  void RefusePlainHttp();
  void AwaitRequest();
  void ReadHeader();
  void OnHeader();
  void ReadBody();
  void OnReadError(error_code ec);
  void RespondAndClose(HttpResponse response);
  std::optional<HttpRequest> TakeRequest();
  void OnRequest();
  void Respond(HttpResponse response);
  void StartStream(HttpResponse response);
  void WatchPeer();
  void ArmKeepalive();
  void StreamWrite(std::string bytes, bool last);
  void FlushStream();
  void FinishStream();
  void ReleaseStream();
  void BeginRequestLog(const boost::beast::http::request<boost::beast::http::string_body>& header);
  void StampRequestId(HttpResponse& response);
  void LogAccess(int status, size_t body_bytes, bool streamed);
  void LingeringClose();
  void TcpLingeringClose();
  void Drain();
  void Close();

  std::shared_ptr<boost::asio::ssl::context> tls_context_;  // declared first: stream_ uses it
  Stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<ServerState> state_;
  boost::asio::thread_pool& blocking_pool_;
  const std::string remote_address_;
  Phase phase_ = kTls ? Phase::kHandshake : Phase::kIdle;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool head_ = false;
  bool shutdown_requested_ = false;
  bool closed_ = false;
  size_t drained_ = 0;

  // The request being answered, for the access log and the X-Request-Id header: its id (the
  // client's when IsAcceptableRequestId, else a UUID), when its header arrived, and its method
  // and route label (never the raw path: it may hold anything a client writes).
  std::string request_id_;
  std::chrono::steady_clock::time_point request_start_{};
  std::string access_route_;

  // A streaming response (kStreaming). Body bytes wait in stream_outbox_ (already framed as
  // chunks over HTTP/1.1) while a write is in flight; a read stays pending so that a client going
  // away is seen at once, and it becomes the next request's idle read when the stream ends on a
  // connection that is kept.
  std::shared_ptr<ResponseStream> stream_source_;
  std::deque<std::string> stream_outbox_;
  std::string stream_writing_;  // the bytes of the write in flight
  std::optional<boost::asio::steady_timer> keepalive_timer_;
  std::string keepalive_;
  std::chrono::milliseconds keepalive_interval_{0};
  bool chunked_ = false;
  bool stream_keep_alive_ = false;
  bool stream_ended_ = false;  // the last bytes are queued
  bool write_in_flight_ = false;
  bool peer_read_pending_ = false;
};

extern template class Connection<PlainStream>;
extern template class Connection<TlsStream>;

}  // namespace pictor::http

#endif  // PICTOR_HTTP_CONNECTION_H_
