#include "lambda/json_log.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>

#include "core/ids.h"

namespace pictor::lambda {
namespace {

std::mutex request_id_mu;  // guards RequestId()
std::string& RequestId() {
  static auto* id = new std::string();  // never destroyed: threads may log during exit
  return *id;
}

std::string IsoTime(spdlog::log_clock::time_point t) {
  return FormatIso8601(
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}

// Thread-safety: base_sink serialises sink_it_ with its mutex.
class JsonLineSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    nlohmann::json line = {{"time", IsoTime(msg.time)},
                           {"level", std::string(spdlog::level::to_string_view(msg.level).data(),
                                                 spdlog::level::to_string_view(msg.level).size())},
                           {"message", std::string(msg.payload.data(), msg.payload.size())}};
    {
      std::lock_guard lock(request_id_mu);
      if (!RequestId().empty()) line["requestId"] = RequestId();
    }
    std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    text += '\n';
    std::fwrite(text.data(), 1, text.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }
};

}  // namespace

void UseJsonLogging(const std::string& level) {
  auto logger = std::make_shared<spdlog::logger>("pictor", std::make_shared<JsonLineSink>());
  auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off) parsed = spdlog::level::info;
  logger->set_level(parsed);
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
}

void SetLogRequestId(const std::string& request_id) {
  std::lock_guard lock(request_id_mu);
  RequestId() = request_id;
}

}  // namespace pictor::lambda
