// A loopback port where nothing listens, for tests of refused connections.
#ifndef PICTOR_TESTS_UNIT_NET_REFUSING_PORT_H_
#define PICTOR_TESTS_UNIT_NET_REFUSING_PORT_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace pictor::net::testing {

// A socket bound to a loopback port that does not listen: connecting to it is refused.
struct RefusingPort {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int port = 0;
  RefusingPort() {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
  }
  ~RefusingPort() { ::close(fd); }
};

}  // namespace pictor::net::testing

#endif  // PICTOR_TESTS_UNIT_NET_REFUSING_PORT_H_
