// The Lambda runtime loop: next → handle → post, until the Runtime API goes away. As small as
// aws-lambda-cpp's run_handler; the bounded, jittered retries of each call are RuntimeApi's.
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

// Runs until /next fails after its retries (the Runtime API is gone); returns that failure. A
// result that cannot be posted is logged and the loop goes on. Before each handler call
// `_X_AMZN_TRACE_ID` is set to the invocation's trace id. Not thread-safe: one loop per process.
Status RunLoop(RuntimeApi& api, const Handler& handler);

// "Pictor.InvalidArgument" etc.: the errorType posted for a failed Status.
std::string ErrorTypeFor(const Status& status);

}  // namespace pictor::lambda

#endif  // PICTOR_LAMBDA_RUNTIME_LOOP_H_
