#include "pictor/status.h"

namespace pictor {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid_argument";
    case StatusCode::kNotFound:
      return "not_found";
    case StatusCode::kAlreadyExists:
      return "already_exists";
    case StatusCode::kFailedPrecondition:
      return "failed_precondition";
    case StatusCode::kPermissionDenied:
      return "permission_denied";
    case StatusCode::kPayloadTooLarge:
      return "payload_too_large";
    case StatusCode::kUnsupported:
      return "unsupported";
    case StatusCode::kUnavailable:
      return "unavailable";
    case StatusCode::kResourceExhausted:
      return "resource_exhausted";
    case StatusCode::kDeadlineExceeded:
      return "deadline_exceeded";
    case StatusCode::kAborted:
      return "aborted";
    case StatusCode::kCancelled:
      return "cancelled";
    case StatusCode::kInternal:
      return "internal";
    case StatusCode::kDataLoss:
      return "data_loss";
    case StatusCode::kUnauthenticated:
      return "unauthenticated";
    case StatusCode::kForbidden:
      return "forbidden";
    case StatusCode::kQuotaExceeded:
      return "quota_exceeded";
  }
  return "unknown";
}

bool IsRetryableCode(StatusCode code) {
  switch (code) {
    case StatusCode::kUnavailable:
    case StatusCode::kResourceExhausted:
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kAborted:
    case StatusCode::kCancelled:
    case StatusCode::kQuotaExceeded:
      return true;
    default:
      return false;
  }
}

Status::Status(StatusCode code, std::string message, std::string reason)
    : code_(code), message_(std::move(message)), reason_(std::move(reason)) {}

std::string Status::reason() const {
  return reason_.empty() ? std::string(StatusCodeName(code_)) : reason_;
}

Status Status::WithPeer(PeerError peer) const {
  Status out = *this;
  if (!ok()) out.peer_ = std::move(peer);
  return out;
}

Status Status::WithRetryAt(int64_t retry_at_ms) const {
  Status out = *this;
  if (!ok()) out.retry_at_ms_ = retry_at_ms;
  return out;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  Status out(code_, std::string(context) + ": " + message_, reason_);
  out.peer_ = peer_;
  out.retry_at_ms_ = retry_at_ms_;
  return out;
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(StatusCodeName(code_)) + ": " + message_;
}

}  // namespace pictor
