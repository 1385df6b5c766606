// A remote model peer for the answer targets: an HttpClient whose every reply is the one the
// fuzz input describes, and credentials that the checks can look for in error messages.
#ifndef PICTOR_TESTS_FUZZ_FAKE_PEER_H_
#define PICTOR_TESTS_FUZZ_FAKE_PEER_H_

#include <array>
#include <cstdlib>
#include <string>
#include <utility>

#include "fuzz_check.h"
#include "net/http_client.h"
#include "net/retry.h"

namespace pictor::fuzz {

// Secrets that must never appear in a Status.
inline constexpr std::string_view kSecretAccessKey = "fuzzSecretAccessKey/0123456789abcdefXYZ";
inline constexpr std::string_view kApiKey = "sk-fuzz-0123456789abcdefghijklmn";

class FakePeer final : public net::HttpClient {
 public:
  // The reply: a status picked by one byte, an optional header line up to '\n', then the body.
  void Load(Cursor& in) {
    static constexpr std::array<long, 12> kStatuses = {200, 200, 200, 200, 400, 403,
                                                       404, 408, 424, 429, 500, 503};
    reply_ = net::HttpReply{};
    reply_.status = kStatuses[in.Byte() % kStatuses.size()];
    std::string_view header = in.Until('\n');
    if (size_t colon = header.find(':'); colon != std::string_view::npos) {
      reply_.headers.emplace_back(std::string(header.substr(0, colon)),
                                  std::string(header.substr(colon + 1)));
    }
    reply_.body = std::string(in.Rest());
  }

  Result<net::HttpReply> Perform(const net::HttpCall& /*call*/) override { return reply_; }
  const net::HttpReply& reply() const { return reply_; }

 private:
  net::HttpReply reply_;
};

// One attempt per call, no waits. AWS_RETRY_MODE=standard as well: in adaptive mode a model
// shares a rate limiter across calls, and the peer's 429s would make later inputs wait for real.
inline net::RetryPolicy NoRetries() {
  static const bool standard = setenv("AWS_RETRY_MODE", "standard", /*overwrite=*/1) == 0;
  FUZZ_CHECK(standard);
  net::RetryPolicy policy;
  policy.max_attempts = 1;
  policy.sleep = [](std::chrono::milliseconds) {};
  policy.random01 = [] { return 0.0; };
  return policy;
}

}  // namespace pictor::fuzz

#endif  // PICTOR_TESTS_FUZZ_FAKE_PEER_H_
