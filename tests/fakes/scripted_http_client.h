// ScriptedHttpClient: an HttpClient that answers each call with the next scripted reply or
// transport failure (or, once the script is used up, a fallback answer) and records every call,
// for tests of adapters' wire shapes and of replies a peer cannot be made to give. Never touches
// the network. Thread-safety: thread-safe.
#ifndef PICTOR_TESTS_FAKES_SCRIPTED_HTTP_CLIENT_H_
#define PICTOR_TESTS_FAKES_SCRIPTED_HTTP_CLIENT_H_

#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/ascii.h"
#include "net/http_client.h"

namespace pictor::testing {

class ScriptedHttpClient final : public net::HttpClient {
 public:
  Result<net::HttpReply> Perform(const net::HttpCall& call) override {
    std::lock_guard lock(mu_);
    calls_.push_back(call);
    if (script_.empty()) return fallback_;
    Result<net::HttpReply> next = std::move(script_.front());
    script_.pop_front();
    return next;
  }

  // Queues one reply.
  void Reply(long status, std::string body = "",
             std::vector<std::pair<std::string, std::string>> headers = {}) {
    std::lock_guard lock(mu_);
    script_.push_back(net::HttpReply{status, std::move(headers), std::move(body)});
  }
  // Queues one transport failure (Unavailable for a reset, DeadlineExceeded for a timeout...).
  void Fail(Status status) {
    std::lock_guard lock(mu_);
    script_.push_back(std::move(status));
  }
  // What every call gets once the script is used up (by default an Unavailable failure).
  void Fallback(Result<net::HttpReply> answer) {
    std::lock_guard lock(mu_);
    fallback_ = std::move(answer);
  }
  // Every call once the script is used up gets this reply.
  void ReplyAlways(long status, std::string body = "",
                   std::vector<std::pair<std::string, std::string>> headers = {}) {
    Fallback(net::HttpReply{status, std::move(headers), std::move(body)});
  }

  std::vector<net::HttpCall> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }
  size_t unused() {
    std::lock_guard lock(mu_);
    return script_.size();
  }

  // The first header of `call` named `name` (ASCII case-insensitive), or "".
  static std::string HeaderOf(const net::HttpCall& call, std::string_view name) {
    for (const auto& [key, value] : call.headers) {
      if (EqualsIgnoreCase(key, name)) return value;
    }
    return "";
  }

 private:
  std::mutex mu_;  // guards everything below
  std::deque<Result<net::HttpReply>> script_;
  std::vector<net::HttpCall> calls_;
  Result<net::HttpReply> fallback_ = Status::Unavailable("no scripted reply");
};

// Forwards every call to a client the test keeps, for an adapter that must own its client while
// the test goes on scripting and reading the calls.
class BorrowedHttpClient final : public net::HttpClient {
 public:
  explicit BorrowedHttpClient(net::HttpClient& target) : target_(target) {}
  Result<net::HttpReply> Perform(const net::HttpCall& call) override {
    return target_.Perform(call);
  }

 private:
  net::HttpClient& target_;
};

}  // namespace pictor::testing

#endif  // PICTOR_TESTS_FAKES_SCRIPTED_HTTP_CLIENT_H_
