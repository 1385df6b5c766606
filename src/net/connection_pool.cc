// The idle pool: newest first out, oldest evicted, dead connections closed outside the lock.
#include "net/connection_pool.h"

#include <utility>

namespace pictor::net {

std::unique_ptr<Connection> ConnectionPool::Take(const std::string& origin) {
  for (;;) {
    std::unique_ptr<Connection> connection;
    {
      std::lock_guard<std::mutex> lock(idle_mutex_);
      for (size_t i = idle_.size(); i-- > 0;) {
        if (idle_[i]->pool_key() == origin) {
          connection = std::move(idle_[i]);
          idle_.erase(idle_.begin() + static_cast<std::ptrdiff_t>(i));
          break;
        }
      }
    }
    if (connection == nullptr || connection->LooksReusable(kMaxIdleAge)) return connection;
  }  // a dead connection closes here, outside the lock
}

void ConnectionPool::Put(std::unique_ptr<Connection> connection) {
  connection->MarkIdle();
  std::unique_ptr<Connection> evicted;  // closed after the lock is released
  std::lock_guard<std::mutex> lock(idle_mutex_);
  if (max_idle_ == 0) return;
  if (idle_.size() >= max_idle_) {
    evicted = std::move(idle_.front());  // the longest idle
    idle_.erase(idle_.begin());
  }
  idle_.push_back(std::move(connection));
}

}  // namespace pictor::net
