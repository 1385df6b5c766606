#include "core/log_writer.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/ids.h"

namespace pictor {
namespace {

std::string_view LevelName(spdlog::level::level_enum level) {
  auto name = spdlog::level::to_string_view(level);
  return {name.data(), name.size()};
}

// Writes all of `text` to stderr with as few write(2) calls as the kernel allows: one, for any
// line shorter than a pipe's buffer.
void WriteToStderr(std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(STDERR_FILENO, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // nowhere to report it
    }
    text.remove_prefix(static_cast<size_t>(n));
  }
}

// Thread-safety: base_sink serialises sink_it_ with its mutex, so lines never interleave. The
// fields are read on the logging thread (the logger is synchronous), where the scopes are.
class JsonLineSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const int64_t ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count();
    WriteToStderr(JsonLogLine(ms, LevelName(msg.level),
                              std::string_view(msg.payload.data(), msg.payload.size()),
                              CurrentLogFields()));
  }
  void flush_() override {}
};

// The %* flag of the text pattern: the ids after the message.
class TextIdsFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const std::string suffix = TextLogSuffix(CurrentLogFields());
    dest.append(suffix.data(), suffix.data() + suffix.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<TextIdsFlag>();
  }
};

}  // namespace

Result<LogFormat> ParseLogFormat(std::string_view text) {
  if (text == "text") return LogFormat::kText;
  if (text == "json") return LogFormat::kJson;
  return Status::InvalidArgument("unknown log format '" + std::string(text) +
                                 "'; accepted: text, json");
}

std::string JsonLogLine(int64_t epoch_ms, std::string_view level, std::string_view message,
                        const LogFields& fields) {
  nlohmann::ordered_json line = {{"time", FormatIso8601(epoch_ms)},
                                 {"level", std::string(level)},
                                 {"message", std::string(message)}};
  if (!fields.request_id.empty()) line["requestId"] = fields.request_id;
  if (!fields.job_id.empty()) line["jobId"] = fields.job_id;
  if (!fields.message_id.empty()) line["messageId"] = fields.message_id;
  // ensure_ascii: every byte of the line is printable ASCII, so no terminal or log pipeline can
  // read a line break, a control sequence or a stray encoding into it.
  std::string text =
      line.dump(-1, ' ', /*ensure_ascii=*/true, nlohmann::json::error_handler_t::replace);
  text += '\n';
  return text;
}

std::string TextLogSuffix(const LogFields& fields) {
  std::string out;
  auto add = [&out](std::string_view name, const std::string& value) {
    if (value.empty()) return;
    out += ' ';
    out += name;
    out += '=';
    for (char c : value) out += (c > ' ' && c < 0x7f) ? c : '?';
  };
  add("requestId", fields.request_id);
  add("jobId", fields.job_id);
  add("messageId", fields.message_id);
  return out;
}

Status InstallLogger(const std::string& level, LogFormat format) {
  auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") {
    return Status::InvalidArgument("unknown log level '" + level +
                                   "'; accepted: debug, info, warn, error, off");
  }
  std::shared_ptr<spdlog::logger> logger;
  if (format == LogFormat::kJson) {
    logger = std::make_shared<spdlog::logger>("pictor", std::make_shared<JsonLineSink>());
  } else {
    logger = std::make_shared<spdlog::logger>(
        "pictor", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<TextIdsFlag>('*').set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v%*");
    logger->set_formatter(std::move(formatter));
  }
  logger->set_level(parsed);
  spdlog::set_default_logger(logger);
  spdlog::set_level(parsed);
  return Status::Ok();
}

}  // namespace pictor
