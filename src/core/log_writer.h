// The process's log: one line per event on stderr, as text for people or as JSON for log
// pipelines (CloudWatch Logs, Loki, Elasticsearch). Both carry the ids of core/log_fields.h.
//
//   text: 2026-12-03T16:23:37.123 info job 5f0c… stored file:… jobId=5f0c… messageId=42
//   json: {"time":"2026-12-03T16:23:37.123Z","level":"info","message":"job 5f0c… stored …",
//          "jobId":"5f0c…","messageId":"42"}
//
// A JSON line is one object with time (RFC 3339, UTC, milliseconds), level, message and the ids
// that are set, each string escaped (control characters as \uXXXX, bytes that are not UTF-8 as
// U+FFFD), so that a line never splits and always parses. The `pictor lambda` runtime, `serve`
// and `worker` share this writer.
#ifndef PICTOR_CORE_LOG_WRITER_H_
#define PICTOR_CORE_LOG_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/log_fields.h"
#include "pictor/status.h"

namespace pictor {

enum class LogFormat { kText, kJson };

// "text" or "json"; InvalidArgument naming both otherwise.
Result<LogFormat> ParseLogFormat(std::string_view text);

// One JSON log line, '\n' included. `level` is spdlog's name ("info", "warning", ...).
std::string JsonLogLine(int64_t epoch_ms, std::string_view level, std::string_view message,
                        const LogFields& fields);

// What a text line carries after its message: " requestId=… jobId=… messageId=…" for the ids
// that are set ("" when none is), each byte outside printable ASCII written as '?'.
std::string TextLogSuffix(const LogFields& fields);

// Makes the default spdlog logger write `format` lines to stderr at `level` (debug, info, warn,
// error, off; InvalidArgument otherwise). Call before other threads log; lines written after
// are whole whatever the number of threads logging.
Status InstallLogger(const std::string& level, LogFormat format);

}  // namespace pictor

#endif  // PICTOR_CORE_LOG_WRITER_H_
