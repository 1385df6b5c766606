// AccessControl: who may ask the API for what, decided before a route's handler runs.
//
// With authentication on (an Authenticator), every route but the open ones (/healthz, /readyz)
// needs `Authorization: Bearer <key>`; a key in the query string is refused outright (query
// strings end up in proxies' and browsers' logs). The key's scopes must cover the route's
// (Route::scopes; admin covers every route), and a route that creates images takes a token from
// the key's rate limit. Budget admission (AdmitSpend) comes later, from the handler that knows
// what the request will cost, and applies the global budgets even with authentication off.
//
// Refusals are Status values (Unauthenticated, Forbidden, QuotaExceeded, InvalidArgument) that
// name the key's name at most, never the key; http/refusal.h words them.
//
// Thread-safety: thread-safe. The borrowed authenticator, spend ledger and metrics outlive it.
#ifndef PICTOR_HTTP_ACCESS_CONTROL_H_
#define PICTOR_HTTP_ACCESS_CONTROL_H_

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "core/authenticator.h"
#include "core/rate_limiter.h"
#include "http/http_message.h"
#include "http/routes.h"
#include "pictor/metrics.h"
#include "pictor/spend_ledger.h"

namespace pictor::http {

struct AccessOptions {
  Authenticator* authenticator = nullptr;  // null: authentication off (every caller is admin)
  SpendLedger* spend = nullptr;            // null: no budget admission
  std::vector<Budget> global_budgets;      // bound every caller's spend together
  std::function<int64_t()> now_ms;         // empty: the system clock (rate limits, budgets)
};

// What Admit decided.
struct Admission {
  Status status;  // OK: the handler may run with `caller`
  Caller caller;  // who the request is from (authentication off: no name, every scope)
  Headers
      headers;  // RateLimit-* for an image-creating route with a limited key (set on refusal too)
};

class AccessControl {
 public:
  AccessControl(AccessOptions options, MetricsRegistry& metrics);

  bool authenticating() const { return options_.authenticator != nullptr; }
  int64_t Now() const;

  // Authenticates `request` and checks it may run `route` (null: no route takes its method and
  // path; it still needs a key, so the API's shape is not told to strangers). Counts refusals
  // in pictor_auth_refusals_total{reason,key}.
  Admission Admit(const HttpRequest& request, const Route* route);

  // Whether `caller` may spend `usd` more now: SpendLedger::Check against the global budgets
  // and the caller's key's. OK without a spend ledger or budgets.
  Status AdmitSpend(const Caller& caller, double usd);

 private:
  Status Authenticate(const HttpRequest& request, Caller* caller, RateLimit* rate);
  void CountRefusal(const Status& status, std::string_view key);

  const AccessOptions options_;
  MetricsRegistry& metrics_;
  RateLimiter limiter_;
};

// The key in `Authorization: Bearer <key>`: InvalidArgument-free, as the refusals are 401s:
// Unauthenticated with reason "missing_api_key" (no header), "unsupported_authorization_scheme"
// (not Bearer) or "malformed_authorization" (several headers, no or a malformed token). Never
// quotes the header.
Result<std::string_view> BearerToken(const HttpRequest& request);

// InvalidArgument (reason "api_key_in_query") when the query string carries a key: a parameter
// named like one (api_key, access_token, ...) or a value shaped like Pictor's keys.
Status CheckNoKeyInQuery(std::string_view query);

}  // namespace pictor::http

#endif  // PICTOR_HTTP_ACCESS_CONTROL_H_
