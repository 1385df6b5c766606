// One SMTP client connection: TCP to the server, TLS on it when asked (at once for smtps://,
// after "220" to STARTTLS otherwise), replies read as RFC 5321 multi-line replies, and every
// step bounded by one deadline.
//
// Blocking: each call runs its own io_context until the operation completes or the deadline
// passes, in which case the connection is closed and DeadlineExceeded comes back. Not
// thread-safe; one connection serves one delivery on one thread.
#ifndef PICTOR_NOTIFY_SMTP_SMTP_CONNECTION_H_
#define PICTOR_NOTIFY_SMTP_SMTP_CONNECTION_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pictor/status.h"

namespace pictor::notify {

// A server reply: "250-first\r\n250 last\r\n" is code 250 and lines {"first", "last"}.
struct SmtpReply {
  int code = 0;
  std::vector<std::string> lines;

  // The lines joined by spaces, control characters replaced and the length bounded, fit for
  // an error message ("5.1.1 <ops@example.com>: Recipient address rejected").
  std::string Text() const;
};

// Splits one reply line ("250-SIZE 1000", "250 OK", "250") into its code and text and says
// whether more lines follow. False for a line that is not a reply line.
bool ParseReplyLine(std::string_view line, int& code, std::string& text, bool& more);

// True for 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104: the only peers a password may be sent to
// without TLS, since the bytes never leave the machine.
bool IsLoopback(const boost::asio::ip::address& address);

class SmtpConnection {
 public:
  using Clock = std::chrono::steady_clock;

  // Everything from Connect on must finish within `timeout` of now.
  explicit SmtpConnection(std::chrono::milliseconds timeout);
  SmtpConnection(const SmtpConnection&) = delete;
  SmtpConnection& operator=(const SmtpConnection&) = delete;
  ~SmtpConnection();

  // Resolves `host` and connects to the first of its addresses that accepts. Unavailable when
  // the name does not resolve or every address refuses; DeadlineExceeded past the deadline.
  Status Connect(const std::string& host, uint16_t port);

  // TLS handshake over the connection, with SNI for a host name and the certificate checked
  // against `tls` and against `host` (a DNS name or an IP address). PermissionDenied when the
  // certificate is not trusted or not for `host` (the message says why, and that the CA
  // certificates came from `trust_source`); Unavailable for other handshake failures.
  Status StartTls(boost::asio::ssl::context& tls, const std::string& host,
                  const std::string& trust_source);

  // The next reply, however many lines. Unavailable when the server closes the connection;
  // Internal for bytes that are not an SMTP reply or a reply longer than 64 KiB.
  Result<SmtpReply> ReadReply();

  // Sends `bytes` as they are (the caller adds CRLF).
  Status Write(std::string_view bytes);

  // Bytes received but not consumed by ReadReply. Must be none when TLS starts after STARTTLS:
  // anything there was sent in clear and must not be taken as coming over TLS (RFC 3207 5).
  bool has_unread_input() const { return !input_.empty(); }

  // Replaces each of `secrets` with "[redacted]" wherever it appears in what the server sends
  // back, so that no error message built from a reply can carry it.
  void HideInReplies(std::vector<std::string> secrets) { secrets_ = std::move(secrets); }

  bool encrypted() const { return tls_ != nullptr; }
  bool peer_is_loopback() const;

  // Moves the deadline (earlier, for a courtesy QUIT after the message is accepted).
  void set_deadline(Clock::time_point deadline) { deadline_ = deadline; }
  Clock::time_point deadline() const { return deadline_; }

 private:
  // Starts an asynchronous operation through `initiate(handler)` and runs the io_context until
  // it completes or the deadline passes; then the socket is closed and timed_out comes back.
  template <typename Initiate>
  boost::system::error_code Await(Initiate&& initiate);

  // The one place a transport error becomes a Status.
  Status TransportError(std::string_view doing, const boost::system::error_code& ec) const;

  Clock::time_point deadline_;
  std::chrono::milliseconds budget_;  // the whole timeout, for messages
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  // Set once TLS is up; it then owns the TCP socket (socket_ is left moved-from).
  std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> tls_;
  boost::asio::ip::address peer_;
  std::string input_;  // received, not yet consumed
  std::vector<std::string> secrets_;
};

}  // namespace pictor::notify

#endif  // PICTOR_NOTIFY_SMTP_SMTP_CONNECTION_H_
