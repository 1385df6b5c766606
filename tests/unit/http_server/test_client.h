// A small blocking HTTP/1.1 client over POSIX sockets, independent of the server's code, so the
// tests see exactly the bytes a real peer would.
#ifndef PICTOR_TESTS_UNIT_HTTP_SERVER_TEST_CLIENT_H_
#define PICTOR_TESTS_UNIT_HTTP_SERVER_TEST_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pictor::http::testing {

struct ClientResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // The first value of a header, compared case-insensitively.
  std::optional<std::string> Header(std::string_view name) const;
};

// One TCP connection to 127.0.0.1. Not thread-safe; move-only; closes on destruction.
class TestConnection {
 public:
  // Connects; an unconnected object (connected() false) on failure. With `source_address`
  // (an IPv4 loopback address such as "127.0.0.2") the socket is bound to it first, so a test
  // can be a second client address.
  explicit TestConnection(uint16_t port, const char* source_address = nullptr);
  ~TestConnection();
  TestConnection(TestConnection&& other) noexcept;
  TestConnection& operator=(TestConnection&&) = delete;
  TestConnection(const TestConnection&) = delete;
  TestConnection& operator=(const TestConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  bool Send(std::string_view bytes);
  // Reads one response. `head` says the request was HEAD (no body follows). nullopt on EOF,
  // error, timeout or an unparsable response.
  std::optional<ClientResponse> Read(bool head = false,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Sends then reads.
  std::optional<ClientResponse> RoundTrip(std::string_view request, bool head = false);
  // Raw bytes up to and including the first `marker` (consumed); nullopt when the connection
  // ends or `timeout` passes first. For streamed bodies, read as they come.
  std::optional<std::string> ReadUntil(std::string_view marker,
                                       std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // True when the server closes the connection (EOF or reset) within `timeout`; any bytes that
  // arrive meanwhile are discarded.
  bool WaitClosed(std::chrono::milliseconds timeout);

 private:
  // Appends whatever arrives before the deadline; false on EOF, error or timeout.
  bool Fill(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  std::string pending_;
};

// "GET /path HTTP/1.1" with a Host header and optional extra header lines ("A: b\r\n").
std::string GetRequest(std::string_view path, std::string_view extra_headers = "");
std::string PostRequest(std::string_view path, std::string_view body,
                        std::string_view extra_headers = "");

// Raises RLIMIT_NOFILE to the hard limit so a test can hold many sockets.
void RaiseOpenFileLimit();

}  // namespace pictor::http::testing

#endif  // PICTOR_TESTS_UNIT_HTTP_SERVER_TEST_CLIENT_H_
