// The client side of the AWS Lambda Runtime API (version 2018-06-01), as documented at
// https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html:
//
//   GET  /2018-06-01/runtime/invocation/next              the next event (long poll)
//   POST /2018-06-01/runtime/invocation/{id}/response     its result
//   POST /2018-06-01/runtime/invocation/{id}/error        its failure
//   POST /2018-06-01/runtime/init/error                   a failure before the first event
#ifndef PICTOR_LAMBDA_RUNTIME_API_H_
#define PICTOR_LAMBDA_RUNTIME_API_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "net/http_client.h"
#include "net/retry.h"
#include "pictor/status.h"

namespace pictor::lambda {

// One event handed out by /invocation/next.
struct Invocation {
  std::string request_id;    // Lambda-Runtime-Aws-Request-Id
  std::string event;         // the body, JSON
  int64_t deadline_ms = 0;   // Lambda-Runtime-Deadline-Ms (Unix epoch ms); 0 when absent
  std::string trace_id;      // Lambda-Runtime-Trace-Id, may be empty
  std::string function_arn;  // Lambda-Runtime-Invoked-Function-Arn, may be empty
};

// Thread-safety: thread-safe as the borrowed HttpClient is; the runtime loop uses it from one
// thread. `client` outlives the RuntimeApi.
//
// Every call is retried on a transport failure that may pass (Unavailable, DeadlineExceeded) and
// on a 5xx answer, per the retry policy: bounded attempts with exponential backoff and full
// jitter (net/retry.h). The API is local to the sandbox, so a failure is either momentary or
// final: DefaultRetryPolicy() makes three attempts, the pauses drawn below 50 ms, then 100 ms.
//
// Errors, after the retries: transport failures as the HttpClient reports them (Unavailable,
// DeadlineExceeded); an unexpected status code from the Runtime API is Unavailable (5xx) or
// Internal (otherwise).
class RuntimeApi {
 public:
  // `endpoint` is AWS_LAMBDA_RUNTIME_API: "host:port". A `retry` without a classification gets
  // the one described above.
  RuntimeApi(std::string endpoint, net::HttpClient& client,
             net::RetryPolicy retry = DefaultRetryPolicy());

  static net::RetryPolicy DefaultRetryPolicy();

  // Blocks until the next event arrives.
  Result<Invocation> Next();
  Status PostResponse(std::string_view request_id, std::string body);
  Status PostError(std::string_view request_id, std::string_view error_type,
                   std::string_view message);
  // Reports a failed initialisation; the process should exit non-zero afterwards.
  Status PostInitError(std::string_view error_type, std::string_view message);

 private:
  Status Post(const std::string& path, std::string body, std::string_view error_type);
  Result<net::HttpReply> Perform(const net::HttpCall& call);

  const std::string base_;  // "http://host:port/2018-06-01/runtime"
  net::HttpClient& client_;
  const net::RetryPolicy retry_;
};

// {"errorMessage": ..., "errorType": ..., "stackTrace": []}: the error document the API takes.
std::string ErrorDocument(std::string_view error_type, std::string_view message);

}  // namespace pictor::lambda

#endif  // PICTOR_LAMBDA_RUNTIME_API_H_
