// AWS's retry modes, as the AWS SDKs name them: which AWS replies are worth another attempt
// ("standard" mode) and whether calls also take a token from a client-side rate limiter
// ("adaptive" mode, chosen by AWS_RETRY_MODE).
//
// What is here and not in net/retry.h is what only AWS defines: the throttling and transient
// error codes carried in AWS error bodies and headers (error.h), and the AWS_RETRY_MODE setting
// with its three values. The retry loop, the jittered backoff and the rate limiter's algorithm
// are general HTTP client behaviour and live in src/net; the OpenAI-compatible model uses them
// too, and honours AWS_RETRY_MODE as the AWS adapters do, so one setting governs every model.
#ifndef PICTOR_AWS_RETRY_MODE_H_
#define PICTOR_AWS_RETRY_MODE_H_

#include <string_view>

#include "net/http_client.h"
#include "net/retry.h"
#include "pictor/status.h"

namespace pictor::aws {

// The standard mode's classification of one attempt against an AWS service:
//  - a transport status as net::ClassifyTransportFailure says (Unavailable, DeadlineExceeded);
//  - a reply whose AWS error code is a throttling one (error.h: IsThrottlingCode) or HTTP 429:
//    throttling, retried with the longer base delay;
//  - a reply whose code is a transient one (IsTransientCode: RequestTimeout, InternalError,
//    ModelNotReadyException...) or HTTP 500, 502, 503, 504: transient;
//  - anything else, another 4xx in particular: not retried.
net::RetryKind ClassifyAttempt(const Result<net::HttpReply>& outcome);

// `policy` with ClassifyAttempt as its classification when it has none. AwsClient applies it to
// the policy it is given.
net::RetryPolicy WithAwsClassification(net::RetryPolicy policy);

enum class RetryMode { kStandard, kAdaptive };

// AWS_RETRY_MODE as the SDKs read it: "standard" or "adaptive" ("legacy" reads as standard);
// unset or empty gives `fallback`. Any other value is InvalidArgument naming the accepted ones,
// which the adapters return from their Open function, so a typo stops the process at start-up.
Result<RetryMode> ParseRetryMode(std::string_view text, RetryMode fallback);
Result<RetryMode> RetryModeFromEnv(RetryMode fallback);

}  // namespace pictor::aws

#endif  // PICTOR_AWS_RETRY_MODE_H_
