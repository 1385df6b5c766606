// The JSON log writer (core/log_writer.h) and the X-Request-Id check (core/log_fields.h). The
// input is split at its first two NUL bytes into a message, a job id and a request id, as a
// client or a queue could make any of them.
// Invariants: a JSON line is one line ('\n' at its end only), printable ASCII, and parses as an
// object whose message is the input's with every byte that is not UTF-8 replaced (so a message
// that is valid UTF-8 comes back unchanged); a text suffix is printable ASCII; a request id is
// accepted only when 1-128 bytes of A-Za-z0-9-_.: and then goes into a line unchanged.
#include <nlohmann/json.hpp>

#include <string>

#include "core/log_fields.h"
#include "core/log_writer.h"
#include "core/utf8.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = pictor::fuzz::AsText(data, size);
  const size_t first = text.find('\0');
  const size_t second = first == std::string_view::npos ? first : text.find('\0', first + 1);
  const std::string_view message = text.substr(0, first);
  pictor::LogFields fields;
  if (first != std::string_view::npos) {
    fields.job_id = std::string(text.substr(first + 1, second - first - 1));
  }
  if (second != std::string_view::npos) fields.request_id = std::string(text.substr(second + 1));
  fields.message_id = "m-1";

  const std::string line = pictor::JsonLogLine(1764700000123, "info", message, fields);
  FUZZ_CHECK(!line.empty() && line.back() == '\n');
  FUZZ_CHECK(line.find('\n') == line.size() - 1);
  for (unsigned char c : line.substr(0, line.size() - 1)) FUZZ_CHECK(c >= 0x20 && c < 0x7f);
  auto parsed = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  FUZZ_CHECK(parsed.is_object());
  FUZZ_CHECK(parsed["time"] == "2025-12-02T18:26:40.123Z" && parsed["level"] == "info");
  FUZZ_CHECK(parsed["message"].is_string() && parsed["messageId"] == "m-1");
  if (pictor::IsValidUtf8(message)) FUZZ_CHECK(parsed["message"] == std::string(message));
  FUZZ_CHECK(parsed.contains("jobId") == !fields.job_id.empty());

  for (unsigned char c : pictor::TextLogSuffix(fields)) FUZZ_CHECK(c >= 0x20 && c < 0x7f);

  if (pictor::IsAcceptableRequestId(fields.request_id)) {
    FUZZ_CHECK(!fields.request_id.empty() && fields.request_id.size() <= 128);
    FUZZ_CHECK(parsed["requestId"] == fields.request_id);
    FUZZ_CHECK(line.find(fields.request_id) != std::string::npos);
  }
  return 0;
}
