#include "lambda/runtime_loop.h"

#include <spdlog/spdlog.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <thread>

namespace pictor::lambda {
namespace {

// Retries a Runtime API call on transport or 5xx failures, with a short pause between tries:
// the API is local to the sandbox, so a failure is either momentary or final.
template <typename Call>
auto WithRetries(int attempts, Call call) {
  auto result = call();
  for (int i = 1; i < attempts && !result.ok() && result.status().IsRetryable(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50 * i));
    result = call();
  }
  return result;
}

struct StatusResult {  // a Status that WithRetries can treat like a Result
  Status s;
  bool ok() const { return s.ok(); }
  const Status& status() const { return s; }
};

}  // namespace

std::string ErrorTypeFor(const Status& status) {
  std::string name(StatusCodeName(status.code()));
  std::string type = "Pictor.";
  bool upper = true;  // "invalid_argument" → "InvalidArgument"
  for (char c : name) {
    if (c == '_') {
      upper = true;
      continue;
    }
    type += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return type;
}

Status RunLoop(RuntimeApi& api, const Handler& handler, const LoopOptions& options) {
  for (;;) {
    auto next = WithRetries(options.attempts, [&] { return api.Next(); });
    if (!next.ok()) return next.status();
    const Invocation& inv = *next;
    if (inv.trace_id.empty()) {
      ::unsetenv("_X_AMZN_TRACE_ID");
    } else {
      ::setenv("_X_AMZN_TRACE_ID", inv.trace_id.c_str(), 1);
    }
    auto answer = handler(inv);
    StatusResult posted;
    if (answer.ok()) {
      posted = WithRetries(options.attempts,
                           [&] { return StatusResult{api.PostResponse(inv.request_id, *answer)}; });
    } else {
      std::string type = ErrorTypeFor(answer.status());
      posted = WithRetries(options.attempts, [&] {
        return StatusResult{api.PostError(inv.request_id, type, answer.status().message())};
      });
    }
    if (!posted.ok()) {
      spdlog::error("invocation {}: posting the result failed: {}", inv.request_id,
                    posted.s.message());
    }
  }
}

}  // namespace pictor::lambda
