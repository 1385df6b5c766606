// The standard mode's classification of AWS replies, and AWS_RETRY_MODE.
#include "aws/retry_mode.h"

#include <cstdlib>
#include <string>

#include "aws/error.h"

namespace pictor::aws {

net::RetryKind ClassifyAttempt(const Result<net::HttpReply>& outcome) {
  if (!outcome.ok()) return net::ClassifyTransportFailure(outcome.status());
  const net::HttpReply& reply = *outcome;
  if (reply.status < 300) return net::RetryKind::kNone;
  AwsError error = ParseAwsError(reply);
  if (IsThrottlingCode(error.code) || reply.status == 429) return net::RetryKind::kThrottling;
  if (IsTransientCode(error.code)) return net::RetryKind::kTransient;
  switch (reply.status) {
    case 500:
    case 502:
    case 503:
    case 504:
      return net::RetryKind::kTransient;
    default:
      return net::RetryKind::kNone;
  }
}

net::RetryPolicy WithAwsClassification(net::RetryPolicy policy) {
  if (!policy.classify) policy.classify = ClassifyAttempt;
  return policy;
}

Result<RetryMode> ParseRetryMode(std::string_view text, RetryMode fallback) {
  if (text.empty()) return fallback;
  if (text == "standard" || text == "legacy") return RetryMode::kStandard;
  if (text == "adaptive") return RetryMode::kAdaptive;
  return Status::InvalidArgument(
      "AWS_RETRY_MODE must be standard, adaptive or legacy, not \"" + std::string(text) + "\"",
      "invalid_retry_mode");
}

Result<RetryMode> RetryModeFromEnv(RetryMode fallback) {
  const char* value = std::getenv("AWS_RETRY_MODE");
  return ParseRetryMode(value == nullptr ? "" : value, fallback);
}

}  // namespace pictor::aws
