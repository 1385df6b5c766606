// The wire code of the Beast HTTP client: the request head as sent, and one request/reply
// exchange on a stream with Beast's parser.
#include "net/http_wire.h"

#include <algorithm>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <string>
#include <utility>

#include "core/ascii.h"

namespace pictor::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using error_code = boost::system::error_code;

std::string_view View(beast::string_view s) { return {s.data(), s.size()}; }

// RFC 9110 token characters: what a method or a header name may consist of.
bool IsToken(std::string_view s) {
  static constexpr std::string_view kSpecials = "!#$%&'*+-.^_`|~";
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || kSpecials.find(c) != kSpecials.npos;
  });
}

bool IsTlsError(const error_code& ec) {
  return ec.category() == asio::error::get_ssl_category() ||
         ec.category() == ssl::error::get_stream_category();
}

// The connection closed under us with nothing read: on a reused connection, the server had
// closed it while it sat idle.
bool IsClosedError(const error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::connection_aborted || ec == ssl::error::stream_truncated;
}

// Beast's parser, filling an HttpReply: the header fields stay in arrival order (Beast's own
// fields container groups repeated names together), with their names as received.
class ReplyParser final : public bhttp::basic_parser<false> {
 public:
  HttpReply& reply() { return reply_; }

 private:
  void on_request_impl(bhttp::verb, beast::string_view, beast::string_view, int,
                       error_code&) override {}
  void on_response_impl(int status, beast::string_view, int, error_code&) override {
    reply_.status = status;
  }
  void on_field_impl(bhttp::field, beast::string_view name, beast::string_view value,
                     error_code&) override {
    reply_.headers.emplace_back(std::string(View(name)), std::string(AsciiTrim(View(value))));
  }
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override {
    if (length) reply_.body.reserve(*length);  // the parser has checked it against the limit
  }
  size_t on_body_impl(beast::string_view body, error_code&) override {
    reply_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, error_code&) override {}
  size_t on_chunk_body_impl(std::uint64_t, beast::string_view body, error_code&) override {
    reply_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(error_code&) override {}

  HttpReply reply_;
};

template <typename Stream>
Exchange TransactOn(Connection& connection, Stream& stream,
                    const std::array<asio::const_buffer, 2>& request, bool head,
                    SteadyClock::time_point deadline, const std::string& where) {
  Exchange out;
  auto fail = [&](const error_code& ec, bool received) {
    out.stale = !received && IsClosedError(ec);
    if (ec == beast::error::timeout || SteadyClock::now() >= deadline) {
      out.reply = Status::DeadlineExceeded(where + ": timed out waiting for the reply");
    } else if (ec == bhttp::error::body_limit) {
      out.reply = Status::Internal(where + ": the reply body is larger than " +
                                   std::to_string(kMaxReplyBody >> 20) + " MiB");
    } else if (ec == bhttp::error::header_limit) {
      out.reply = Status::Internal(where + ": the reply header is larger than " +
                                   std::to_string(kMaxReplyHeader >> 10) + " KiB");
    } else if (!received && IsClosedError(ec)) {
      out.reply = Status::Unavailable(where + ": the server closed the connection without a reply");
    } else if (ec.category() == bhttp::make_error_code(bhttp::error::partial_message).category()) {
      out.reply = Status::Unavailable(where + ": malformed or cut-off reply: " + ec.message());
    } else if (IsTlsError(ec) && ec != ssl::error::stream_truncated) {
      out.reply = Status::Unavailable("TLS error: " + where + ": " + ec.message());
    } else {
      out.reply = Status::Unavailable(where + ": " + ec.message());
    }
    return std::move(out);
  };

  connection.tcp().expires_at(deadline);
  error_code ec =
      connection.Run([&](auto handler) { asio::async_write(stream, request, std::move(handler)); });
  if (ec) return fail(ec, false);

  beast::flat_buffer buffer;
  bool received = false;
  for (;;) {
    ReplyParser parser;
    parser.header_limit(kMaxReplyHeader);
    parser.body_limit(kMaxReplyBody);
    if (head) parser.skip(true);
    ec = connection.Run([&](auto handler) {
      bhttp::async_read_header(stream, buffer, parser, std::move(handler));
    });
    received = received || parser.got_some() || buffer.size() > 0;
    if (ec) return fail(ec, received);
    const long status = parser.reply().status;
    if (status / 100 == 1 && status != 101) continue;  // interim: the final reply follows
    if (!parser.is_done()) {
      ec = connection.Run(
          [&](auto handler) { bhttp::async_read(stream, buffer, parser, std::move(handler)); });
      // A body read until the close may end without TLS close_notify, as curl also accepts.
      if (ec == ssl::error::stream_truncated && parser.need_eof()) parser.put_eof(ec);
      if (ec) return fail(ec, true);
    }
    // 101 Switching Protocols leaves HTTP behind on this connection.
    out.keep_alive =
        parser.keep_alive() && !parser.need_eof() && buffer.size() == 0 && status != 101;
    out.reply = std::move(parser.reply());
    connection.tcp().expires_never();
    return out;
  }
}

}  // namespace

Result<std::string> FormatRequestHead(const HttpCall& call, const HttpUrl& url,
                                      const HttpProxy* proxy) {
  if (!IsToken(call.method)) return Status::InvalidArgument("the method is not a token");
  bool has_host = false;
  bool has_length = false;
  bool has_proxy_authorization = false;
  for (const auto& [name, value] : call.headers) {
    if (!IsToken(name)) return Status::InvalidArgument("a header name is not a token");
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      return Status::InvalidArgument("the value of header " + name + " has a line break");
    }
    has_host |= EqualsIgnoreCase(name, "host");
    has_proxy_authorization |= EqualsIgnoreCase(name, "proxy-authorization");
    if (EqualsIgnoreCase(name, "content-length")) {
      if (AsciiTrim(value) != std::to_string(call.body.size())) {
        return Status::InvalidArgument("Content-Length does not match the body");
      }
      has_length = true;
    }
  }
  std::string head = call.method + " ";
  head += proxy != nullptr ? "http://" + url.authority + url.target : url.target;
  head += " HTTP/1.1\r\n";
  if (!has_host) head += "Host: " + url.authority + "\r\n";
  for (const auto& [name, value] : call.headers) {
    head += name;
    head += value.empty() ? ":" : ": ";
    head += value;
    head += "\r\n";
  }
  const bool always_length =
      call.method == "POST" || call.method == "PUT" || call.method == "PATCH";
  if (!has_length && (always_length || !call.body.empty())) {
    head += "Content-Length: " + std::to_string(call.body.size()) + "\r\n";
  }
  if (proxy != nullptr && !proxy->authorization.empty() && !has_proxy_authorization) {
    head += "Proxy-Authorization: " + proxy->authorization + "\r\n";
  }
  head += "\r\n";
  return head;
}

Exchange Transact(Connection& connection, const std::array<asio::const_buffer, 2>& request,
                  bool head, SteadyClock::time_point deadline, const std::string& where) {
  return connection.tls() != nullptr
             ? TransactOn(connection, *connection.tls(), request, head, deadline, where)
             : TransactOn(connection, connection.tcp(), request, head, deadline, where);
}

}  // namespace pictor::net
