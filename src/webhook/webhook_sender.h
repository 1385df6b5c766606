// One attempt to deliver a job's webhook: the address check, the Standard Webhooks signature
// and the POST.
//
// A client's URL (WebhookMessage::trusted false) is checked again at delivery time, whatever
// POST /jobs found in its text: its host name is resolved, every address it resolves to must be
// public (core/webhook_url.h, NonPublicReason) unless private ones are allowed, and the
// connection goes to the addresses checked (net::HttpCall::connect_addresses), never through a
// proxy and never to what a second resolution might answer (DNS rebinding). Redirects are not
// followed. The operator's URL (--webhook) is trusted: resolved and connected to as any other
// outgoing call, proxies included.
//
// Thread-safe: Send may be called from any number of threads at once.
#ifndef PICTOR_WEBHOOK_WEBHOOK_SENDER_H_
#define PICTOR_WEBHOOK_WEBHOOK_SENDER_H_

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "net/http_client.h"
#include "pictor/status.h"
#include "pictor/webhook_outbox.h"

namespace pictor::webhook {

// Resolves a host name to addresses (text), within a timeout: net::ResolveHost, or a test's.
using Resolver = std::function<Result<std::vector<std::string>>(const std::string& host,
                                                                std::chrono::milliseconds)>;

struct SenderOptions {
  // The HMAC key (core/webhook_signature.h, WebhookSigningKey); empty: messages go unsigned.
  std::string signing_key;
  bool allow_private = false;  // --allow-private-webhooks: client URLs may reach any address
  Resolver resolve;            // null: net::ResolveHost
  std::chrono::milliseconds timeout{10000};  // the whole attempt, connecting included
};

struct Attempt {
  enum class Outcome {
    kDelivered,  // a 2xx answer
    kRetry,      // another answer, or none: try again later
    kGiveUp,     // 410 Gone, a URL that cannot be used, an address refused
  };
  Outcome outcome = Outcome::kRetry;
  int http_status = 0;  // 0 when no answer came
  // Why it was not delivered, for people (GET /jobs/{id}, logs): names the URL's origin only,
  // never its path or query, which may carry a token.
  std::string error;
};

class Sender {
 public:
  // `client` is borrowed and outlives the Sender.
  Sender(net::HttpClient& client, SenderOptions options);

  // POSTs `message.body` to `message.url` with the headers webhook-id (message.id),
  // webhook-timestamp (`now_s`), webhook-signature (when there is a key), Content-Type
  // application/json and User-Agent.
  Attempt Send(const WebhookMessage& message, int64_t now_s) const;

 private:
  net::HttpClient& client_;
  const SenderOptions options_;
};

}  // namespace pictor::webhook

#endif  // PICTOR_WEBHOOK_WEBHOOK_SENDER_H_
