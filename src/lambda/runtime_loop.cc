#include "lambda/runtime_loop.h"

#include <spdlog/spdlog.h>

#include <cctype>
#include <cstdlib>

namespace pictor::lambda {

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

Status RunLoop(RuntimeApi& api, const Handler& handler) {
  for (;;) {
    auto next = api.Next();
    if (!next.ok()) return next.status();
    const Invocation& inv = *next;
    if (inv.trace_id.empty()) {
      ::unsetenv("_X_AMZN_TRACE_ID");
    } else {
      ::setenv("_X_AMZN_TRACE_ID", inv.trace_id.c_str(), 1);
    }
    auto answer = handler(inv);
    Status posted = answer.ok() ? api.PostResponse(inv.request_id, *answer)
                                : api.PostError(inv.request_id, ErrorTypeFor(answer.status()),
                                                answer.status().message());
    if (!posted.ok()) {
      spdlog::error("invocation {}: posting the result failed: {}", inv.request_id,
                    posted.message());
    }
  }
}

}  // namespace pictor::lambda
