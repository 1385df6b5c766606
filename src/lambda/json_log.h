// Log lines for CloudWatch Logs: one JSON object per line,
// {"time": ISO-8601 UTC, "level": ..., "message": ..., "requestId"?: ...}.
#ifndef PICTOR_LAMBDA_JSON_LOG_H_
#define PICTOR_LAMBDA_JSON_LOG_H_

#include <string>

namespace pictor::lambda {

// Replaces the default spdlog logger by one writing JSON lines to stderr at `level` ("debug",
// "info", "warn", "error"; anything else is "info"). Call once, before other threads log.
void UseJsonLogging(const std::string& level);

// The request id added to the lines logged from now on ("" for none). Thread-safe.
void SetLogRequestId(const std::string& request_id);

}  // namespace pictor::lambda

#endif  // PICTOR_LAMBDA_JSON_LOG_H_
