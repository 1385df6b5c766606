// Status and Result: how every error crosses a port in Pictor.
//
// Nothing throws across a port. An adapter returns a Status (or a Result<T>, which is a value
// or a Status) whose code says what went wrong and whether trying again can help. The message
// is fit to show a user: it never contains a secret.
//
// When the error is a remote peer's answer (an AWS service, an OpenAI-compatible server), the
// Status also carries that answer as data (PeerError: the HTTP status and the service's error
// code), so that callers decide on it instead of searching the message, which is for humans and
// free to change.
#ifndef PICTOR_STATUS_H_
#define PICTOR_STATUS_H_

#include <cassert>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace pictor {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller sent something wrong; permanent
  kNotFound,            // permanent
  kAlreadyExists,       // permanent
  kFailedPrecondition,  // the system is not in a state to do this (stale receipt handle); permanent
  kPermissionDenied,    // permanent
  kPayloadTooLarge,     // permanent
  kUnsupported,         // the adapter cannot do this at all; permanent
  kUnavailable,         // the peer is down or overloaded; retryable
  kResourceExhausted,   // throttled; retryable
  kDeadlineExceeded,    // timed out; retryable
  kAborted,             // a concurrent change got in the way; retryable
  kCancelled,           // shutting down; retryable by someone else
  kInternal,            // a bug or a broken peer answer; permanent
  kDataLoss,            // stored bytes are damaged; permanent
  kUnauthenticated,     // the caller did not prove who it is (no, malformed or unknown key)
  // The caller is known but may not do this (a key without the scope, another key's job).
  // Unlike PermissionDenied, which is the server's own identity being refused (a 503), this is
  // about the caller: HTTP answers 403.
  kForbidden,
  // The caller's own rate limit or spend budget is used up: retryable at retry_at_ms(). Not a
  // fault of the server (that is ResourceExhausted): HTTP answers 429, not 503.
  kQuotaExceeded,
};

// A short, stable, lower-case name for a code ("invalid_argument").
std::string_view StatusCodeName(StatusCode code);

// True for the codes whose failures may succeed when tried again.
bool IsRetryableCode(StatusCode code);

// What a remote peer answered when it refused a call. Set by the one error translation of each
// remote adapter (aws::ToStatus, the OpenAI model's); empty for errors Pictor made itself.
// Never holds a secret: the code is the service's short identifier, not its message.
struct PeerError {
  // The HTTP status the peer answered; 0 when it answered none (no peer, a transport failure).
  int http_status = 0;
  // The service's own code, bare of protocol prefixes like "com.amazonaws.sqs#" ("NoSuchBucket",
  // "AWS.SimpleQueueService.NonExistentQueue", "insufficient_quota"); empty when it sent none.
  std::string code;
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message, std::string reason = {});

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg, std::string reason = "invalid_argument") {
    return {StatusCode::kInvalidArgument, std::move(msg), std::move(reason)};
  }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) {
    return {StatusCode::kAlreadyExists, std::move(msg)};
  }
  static Status FailedPrecondition(std::string msg) {
    return {StatusCode::kFailedPrecondition, std::move(msg)};
  }
  static Status PermissionDenied(std::string msg) {
    return {StatusCode::kPermissionDenied, std::move(msg)};
  }
  static Status PayloadTooLarge(std::string msg) {
    return {StatusCode::kPayloadTooLarge, std::move(msg)};
  }
  static Status Unsupported(std::string msg) { return {StatusCode::kUnsupported, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {StatusCode::kUnavailable, std::move(msg)}; }
  static Status ResourceExhausted(std::string msg) {
    return {StatusCode::kResourceExhausted, std::move(msg)};
  }
  static Status DeadlineExceeded(std::string msg) {
    return {StatusCode::kDeadlineExceeded, std::move(msg)};
  }
  static Status Aborted(std::string msg) { return {StatusCode::kAborted, std::move(msg)}; }
  static Status Cancelled(std::string msg) { return {StatusCode::kCancelled, std::move(msg)}; }
  static Status Internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }
  static Status DataLoss(std::string msg) { return {StatusCode::kDataLoss, std::move(msg)}; }
  static Status Unauthenticated(std::string msg, std::string reason = "invalid_api_key") {
    return {StatusCode::kUnauthenticated, std::move(msg), std::move(reason)};
  }
  static Status Forbidden(std::string msg, std::string reason = "insufficient_scope") {
    return {StatusCode::kForbidden, std::move(msg), std::move(reason)};
  }
  // `reason`: "rate_limited" or "budget_exhausted"; `retry_at_ms`: when it may pass.
  static Status QuotaExceeded(std::string msg, std::string reason, int64_t retry_at_ms) {
    return Status(StatusCode::kQuotaExceeded, std::move(msg), std::move(reason))
        .WithRetryAt(retry_at_ms);
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // A short machine-readable reason for API errors ("prompt_too_long"); defaults to the
  // code's name.
  std::string reason() const;
  bool IsRetryable() const { return IsRetryableCode(code_); }
  bool IsNotFound() const { return code_ == StatusCode::kNotFound; }
  bool IsInvalidArgument() const { return code_ == StatusCode::kInvalidArgument; }

  // The peer's answer this error came from (see PeerError); all empty when none.
  const PeerError& peer() const { return peer_; }
  int peer_http_status() const { return peer_.http_status; }
  const std::string& peer_code() const { return peer_.code; }

  // Returns a copy carrying `peer` as the peer's answer (an OK status stays OK, without one).
  // For translators, and for callers that turn a peer's error into another while keeping it.
  Status WithPeer(PeerError peer) const;

  // When trying again may pass, in Unix epoch milliseconds; 0 when unknown. Set for
  // QuotaExceeded (the rate limit's next token, the budget's reset).
  int64_t retry_at_ms() const { return retry_at_ms_; }
  // Returns a copy carrying `retry_at_ms` (an OK status stays OK, without one).
  Status WithRetryAt(int64_t retry_at_ms) const;

  // Returns a copy whose message starts with `context: `; code, reason, peer and retry time are
  // kept.
  Status WithContext(std::string_view context) const;

  // "invalid_argument: prompt is empty".
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string reason_;
  PeerError peer_;
  int64_t retry_at_ms_ = 0;
};

// A value or the Status saying why there is none. Never holds an OK status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok() && "Result built from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  // The error; OK when a value is held.
  Status status() const { return ok() ? Status() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace pictor

#endif  // PICTOR_STATUS_H_
