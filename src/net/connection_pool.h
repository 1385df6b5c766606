// The idle connections of the Beast HTTP client, shared between calls and threads and keyed by
// origin (scheme, host, port). Private to src/net.
//
// Thread-safe: one mutex guards the list; a connection is checked and closed outside it.
#ifndef PICTOR_NET_CONNECTION_POOL_H_
#define PICTOR_NET_CONNECTION_POOL_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "net/beast_connection.h"

namespace pictor::net {

class ConnectionPool {
 public:
  // Servers and NATs drop idle connections, not always with a word to us: past this age an idle
  // connection is not worth the risk of a timeout, as a new one costs only a handshake.
  static constexpr std::chrono::seconds kMaxIdleAge{60};

  // At most `max_idle` idle connections in all; 0 keeps none.
  explicit ConnectionPool(size_t max_idle) : max_idle_(max_idle) {}
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // The most recently pooled idle connection for `origin` that still looks usable (the server
  // has not closed it, it is younger than kMaxIdleAge), or nullptr. Dead ones are closed.
  std::unique_ptr<Connection> Take(const std::string& origin);

  // Keeps `connection` for reuse; the longest idle one makes room when the pool is full.
  void Put(std::unique_ptr<Connection> connection);

 private:
  const size_t max_idle_;
  std::mutex idle_mutex_;                          // guards idle_
  std::vector<std::unique_ptr<Connection>> idle_;  // oldest first
};

}  // namespace pictor::net

#endif  // PICTOR_NET_CONNECTION_POOL_H_
