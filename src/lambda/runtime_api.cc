#include "lambda/runtime_api.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <chrono>
#include <utility>

namespace pictor::lambda {
namespace {

constexpr std::chrono::hours kLongPoll{24};  // /next waits for as long as Lambda keeps us frozen

// A transport failure that may pass, or any 5xx: what the Runtime API client tries again.
net::RetryKind ClassifyRuntimeApiAttempt(const Result<net::HttpReply>& outcome) {
  if (!outcome.ok()) return net::ClassifyTransportFailure(outcome.status());
  return outcome->status >= 500 ? net::RetryKind::kTransient : net::RetryKind::kNone;
}

Status StatusForReply(const net::HttpReply& reply, std::string_view what) {
  std::string msg = std::string(what) + ": runtime API answered " + std::to_string(reply.status);
  if (!reply.body.empty()) msg += ": " + reply.body.substr(0, 200);
  return reply.status >= 500 ? Status::Unavailable(msg) : Status::Internal(msg);
}

}  // namespace

net::RetryPolicy RuntimeApi::DefaultRetryPolicy() {
  net::RetryPolicy policy;
  policy.max_attempts = 3;
  policy.base_delay = std::chrono::milliseconds(50);
  policy.throttling_base_delay = std::chrono::milliseconds(50);
  policy.max_backoff = std::chrono::milliseconds(1000);
  policy.classify = ClassifyRuntimeApiAttempt;
  return policy;
}

RuntimeApi::RuntimeApi(std::string endpoint, net::HttpClient& client, net::RetryPolicy retry)
    : base_("http://" + std::move(endpoint) + "/2018-06-01/runtime"),
      client_(client),
      retry_([&retry] {
        if (!retry.classify) retry.classify = ClassifyRuntimeApiAttempt;
        return std::move(retry);
      }()) {}

Result<net::HttpReply> RuntimeApi::Perform(const net::HttpCall& call) {
  return net::PerformWithRetries(
      client_, [&call] { return call; }, retry_);
}

Result<Invocation> RuntimeApi::Next() {
  net::HttpCall call;
  call.method = "GET";
  call.url = base_ + "/invocation/next";
  call.total_timeout = kLongPoll;
  auto reply = Perform(call);
  if (!reply.ok()) return reply.status().WithContext("runtime API next");
  if (reply->status != 200) return StatusForReply(*reply, "next invocation");
  Invocation inv;
  inv.request_id = reply->Header("Lambda-Runtime-Aws-Request-Id");
  if (inv.request_id.empty()) {
    return Status::Internal("next invocation: no Lambda-Runtime-Aws-Request-Id header");
  }
  std::string deadline = reply->Header("Lambda-Runtime-Deadline-Ms");
  if (!deadline.empty()) {
    std::from_chars(deadline.data(), deadline.data() + deadline.size(), inv.deadline_ms);
  }
  inv.trace_id = reply->Header("Lambda-Runtime-Trace-Id");
  inv.function_arn = reply->Header("Lambda-Runtime-Invoked-Function-Arn");
  inv.event = std::move(reply->body);
  return inv;
}

Status RuntimeApi::Post(const std::string& path, std::string body, std::string_view error_type) {
  net::HttpCall call;
  call.method = "POST";
  call.url = base_ + path;
  call.headers.emplace_back("Content-Type", "application/json");
  if (!error_type.empty()) {
    call.headers.emplace_back("Lambda-Runtime-Function-Error-Type", std::string(error_type));
  }
  call.body = std::move(body);
  auto reply = Perform(call);
  if (!reply.ok()) return reply.status().WithContext("runtime API " + path);
  if (reply->status != 202 && reply->status != 200) return StatusForReply(*reply, path);
  return Status::Ok();
}

Status RuntimeApi::PostResponse(std::string_view request_id, std::string body) {
  return Post("/invocation/" + std::string(request_id) + "/response", std::move(body), {});
}

Status RuntimeApi::PostError(std::string_view request_id, std::string_view error_type,
                             std::string_view message) {
  return Post("/invocation/" + std::string(request_id) + "/error",
              ErrorDocument(error_type, message), error_type);
}

Status RuntimeApi::PostInitError(std::string_view error_type, std::string_view message) {
  return Post("/init/error", ErrorDocument(error_type, message), error_type);
}

std::string ErrorDocument(std::string_view error_type, std::string_view message) {
  nlohmann::json doc = {{"errorMessage", message},
                        {"errorType", error_type},
                        {"stackTrace", nlohmann::json::array()}};
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace pictor::lambda
