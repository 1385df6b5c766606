// The HTTP request head and body as `pictor serve` reads them: Beast's request_parser with the
// header and body limits of ServerOptions' defaults (src/http/server.cc ReadHeader), fed in
// chunks as they might arrive from a socket, then the target taken apart as TakeRequest does
// (query split, absolute-form reduced to its path, PercentDecode).
//
// Invariants: a message accepted whole never has a body over max_body_bytes; the limits give
// their own errors; a decoded path starts with '/' (or is "*"), holds no NUL and is never longer
// than the target; decoding the query never yields a NUL either.
#include <algorithm>
// Boost assertions report here (below) so one known-wrong Beast assertion can be told apart.
#define BOOST_ENABLE_ASSERT_HANDLER
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "core/percent_encoding.h"
#include "fuzz_check.h"
#include "http/http_message.h"
#include "http/server.h"

namespace bhttp = boost::beast::http;

namespace boost {

// Beast 1.74's chunk parser asserts n >= 5 (and n >= 3) when a final chunk "0\r\n" arrives
// apart from its closing CRLF; the code after the assertion handles that case (it asks for more
// input), and upstream corrected the assertion (boostorg/beast pull request 2861). Release
// builds compile assertions out. Every other Boost assertion still fails the target.
void assertion_failed(char const* expr, char const* function, char const* file, long line) {
  const std::string_view where(file);
  const std::string_view what(expr);
  if (where.ends_with("basic_parser.ipp") && (what == "n >= 5" || what == "n >= 3")) return;
  std::fprintf(stderr, "%s:%ld: %s: Boost assertion failed: %s\n", file, line, function, expr);
  std::abort();
}

void assertion_failed_msg(char const* expr, char const* msg, char const* function, char const* file,
                          long line) {
  std::fprintf(stderr, "%s:%ld: %s: Boost assertion failed: %s (%s)\n", file, line, function, expr,
               msg);
  std::abort();
}

}  // namespace boost

namespace {

void CheckTarget(std::string_view target) {
  std::string_view query;
  if (size_t q = target.find('?'); q != std::string_view::npos) {
    query = target.substr(q + 1);
    target = target.substr(0, q);
  }
  if (size_t scheme = target.find("://");
      scheme != std::string_view::npos && target.front() != '/') {
    size_t slash = target.find('/', scheme + 3);
    target = slash == std::string_view::npos ? "/" : target.substr(slash);
  }
  if (target.empty() || (target.front() != '/' && target != "*")) return;
  std::optional<std::string> path = pictor::PercentDecode(target);
  if (path) {
    FUZZ_CHECK(path->size() <= target.size());
    FUZZ_CHECK(path->find('\0') == std::string::npos);
    FUZZ_CHECK(!path->empty() && (path->front() == '/' || *path == "*"));
  }
  for (bool plus : {false, true}) {
    std::optional<std::string> q = pictor::PercentDecode(query, plus);
    if (q) FUZZ_CHECK(q->find('\0') == std::string::npos && q->size() <= query.size());
  }
}

// The peer closed: what Beast's read does then (end_of_stream before any byte, else put_eof).
void EndOfInput(bhttp::request_parser<bhttp::string_body>& parser, boost::beast::error_code& ec) {
  if (!parser.got_some()) {
    ec = bhttp::error::end_of_stream;
    return;
  }
  parser.put_eof(ec);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pictor::fuzz::Cursor in(pictor::fuzz::AsText(data, size));
  // The first byte picks the read size: 1..256 bytes per "socket read".
  const size_t chunk = static_cast<size_t>(in.Byte()) + 1;
  std::string_view wire = in.Rest();

  const pictor::http::ServerOptions options;
  bhttp::request_parser<bhttp::string_body> parser;
  parser.body_limit(options.max_body_bytes);
  parser.header_limit(static_cast<uint32_t>(options.max_header_bytes));

  boost::beast::flat_buffer buffer;
  boost::beast::error_code ec;
  size_t fed = 0;
  while (!parser.is_done()) {
    if (fed < wire.size()) {
      size_t n = std::min(chunk, wire.size() - fed);
      auto space = buffer.prepare(n);
      std::memcpy(space.data(), wire.data() + fed, n);
      buffer.commit(n);
      fed += n;
    } else if (buffer.size() == 0) {
      EndOfInput(parser, ec);
      break;
    }
    size_t used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    if (ec == bhttp::error::need_more) {
      ec = {};
      if (fed >= wire.size()) {
        EndOfInput(parser, ec);
        break;
      }
      continue;
    }
    if (ec) break;
    if (used == 0 && fed >= wire.size() && !parser.is_done()) {
      EndOfInput(parser, ec);  // nothing more will arrive: the peer closed
      break;
    }
  }

  if (ec == bhttp::error::body_limit || ec == bhttp::error::header_limit) return 0;
  if (!ec && parser.is_done()) {
    const auto& message = parser.get();
    FUZZ_CHECK(message.body().size() <= options.max_body_bytes);
    std::string_view target(message.target().data(), message.target().size());
    FUZZ_CHECK(!target.empty());
    FUZZ_CHECK(!message.method_string().empty());
    CheckTarget(target);
  }
  return 0;
}
