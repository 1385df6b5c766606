// GET /jobs/{id}/events (src/http/job_events.cc): the Last-Event-ID a client sends, and the data
// an event carries. The input is both.
// Invariants: an accepted Last-Event-ID is 1..18 decimal digits and reads as their value; any
// data, whatever line breaks it holds, makes an event whose every line is one of its own fields
// (no line of data can pose as an id or event field, or end the event early), and whose data
// lines joined by LF give the data back with each CRLF, CR or LF read as LF.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "http/job_events.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = pictor::fuzz::AsText(data, size);

  if (auto id = pictor::http::ParseLastEventId(text)) {
    FUZZ_CHECK(!text.empty() && text.size() <= 18);
    int64_t value = 0;
    for (char c : text) {
      FUZZ_CHECK(c >= '0' && c <= '9');
      value = value * 10 + (c - '0');
    }
    FUZZ_CHECK(*id == value);
  }

  const std::string event = pictor::http::ServerSentEvent("running", 42, text);
  const std::string head = "id: 42\nevent: running\n";
  FUZZ_CHECK(event.compare(0, head.size(), head) == 0);
  FUZZ_CHECK(event.size() >= head.size() + 2 && event.compare(event.size() - 2, 2, "\n\n") == 0);
  // Between the head and the final blank line: "data: ..." lines only, without CR.
  std::string_view body(event);
  body = body.substr(head.size(), body.size() - head.size() - 1);
  std::string joined;
  bool first = true;
  while (!body.empty()) {
    const size_t end = body.find('\n');
    FUZZ_CHECK(end != std::string_view::npos);
    std::string_view line = body.substr(0, end);
    FUZZ_CHECK(line.compare(0, 6, "data: ") == 0);
    FUZZ_CHECK(line.find('\r') == std::string_view::npos);
    if (!first) joined.push_back('\n');
    first = false;
    joined.append(line.substr(6));
    body.remove_prefix(end + 1);
  }
  std::string expected;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      expected.push_back('\n');
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else {
      expected.push_back(text[i]);
    }
  }
  FUZZ_CHECK(joined == expected);
  return 0;
}
