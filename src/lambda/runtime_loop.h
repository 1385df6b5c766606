// The Lambda runtime loop: next → handle → post, with bounded retries, until the Runtime API
// goes away. As small as aws-lambda-cpp's run_handler.
#ifndef PICTOR_LAMBDA_RUNTIME_LOOP_H_
#define PICTOR_LAMBDA_RUNTIME_LOOP_H_

#include <functional>
#include <string>

#include "lambda/runtime_api.h"
#include "pictor/status.h"

namespace pictor::lambda {

// A handler is a function of the event: the response document, or a Status that the loop
// posts to /invocation/{id}/error (errorType "Pictor.<code>").
using Handler = std::function<Result<std::string>(const Invocation&)>;

struct LoopOptions {
  int attempts = 3;  // per Runtime API call (next, response, error) before giving up
};

// Runs until /next fails `attempts` times in a row (the Runtime API is gone); returns that
// failure. Before each handler call `_X_AMZN_TRACE_ID` is set to the invocation's trace id.
// Not thread-safe: one loop per process.
Status RunLoop(RuntimeApi& api, const Handler& handler, const LoopOptions& options = {});

// "Pictor.InvalidArgument" etc.: the errorType posted for a failed Status.
std::string ErrorTypeFor(const Status& status);

}  // namespace pictor::lambda

#endif  // PICTOR_LAMBDA_RUNTIME_LOOP_H_
