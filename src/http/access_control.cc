#include "http/access_control.h"

#include <string>
#include <utility>

#include "core/ascii.h"
#include "core/percent_encoding.h"
#include "core/pipeline.h"
#include "core/quota.h"

namespace pictor::http {
namespace {

// RFC 6750 2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
bool IsB64Token(std::string_view token) {
  size_t end = token.size();
  while (end > 0 && token[end - 1] == '=') --end;
  if (end == 0) return false;
  for (size_t i = 0; i < end; ++i) {
    const char c = token[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
    if (!ok) return false;
  }
  return true;
}

// Pictor's key text: "pk_" and base64url; the length check keeps job-filter values such as
// key names ("?key=pk_team") from being taken for keys.
bool LooksLikeKeyText(std::string_view value) {
  if (value.size() < 40 || value.rfind("pk_", 0) != 0) return false;
  for (char c : value.substr(3)) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string ScopeNeeded(uint32_t scopes) {
  return scopes == kScopeAdmin ? "admin" : FormatScopes(scopes);
}

}  // namespace

Result<std::string_view> BearerToken(const HttpRequest& request) {
  std::optional<std::string_view> header;
  for (const auto& [name, value] : request.headers.fields()) {
    if (!EqualsIgnoreCase(name, "Authorization")) continue;
    if (header) {
      return Status::Unauthenticated("send exactly one Authorization header",
                                     "malformed_authorization");
    }
    header = value;
  }
  if (!header) {
    return Status::Unauthenticated(
        "this server needs an API key: send it as 'Authorization: Bearer <key>'",
        "missing_api_key");
  }
  std::string_view value = Trim(*header);
  const size_t space = value.find_first_of(" \t");
  std::string_view scheme = value.substr(0, space);
  if (!EqualsIgnoreCase(scheme, "Bearer")) {
    return Status::Unauthenticated(
        "only Bearer authorization is accepted: 'Authorization: Bearer <key>'",
        "unsupported_authorization_scheme");
  }
  std::string_view token = space == std::string_view::npos ? "" : Trim(value.substr(space));
  if (token.empty() || !IsB64Token(token)) {
    return Status::Unauthenticated(
        "malformed Authorization header: expected 'Bearer <key>', the key a single word",
        "malformed_authorization");
  }
  return token;
}

Status CheckNoKeyInQuery(std::string_view query) {
  static constexpr std::string_view kKeyNames[] = {"api_key",      "apikey", "api-key",
                                                   "access_token", "token",  "authorization"};
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const size_t eq = pair.find('=');
    const std::string name = PercentDecodeLenient(pair.substr(0, eq));
    const std::string value =
        eq == std::string_view::npos ? "" : PercentDecodeLenient(pair.substr(eq + 1));
    bool refused = LooksLikeKeyText(value);
    for (std::string_view key_name : kKeyNames)
      refused = refused || EqualsIgnoreCase(name, key_name);
    if (refused) {
      return Status::InvalidArgument(
          "API keys are accepted only in the Authorization header, never in the URL (URLs are "
          "logged by proxies and browsers); send 'Authorization: Bearer <key>' and revoke a key "
          "that was sent in a URL",
          "api_key_in_query");
    }
  }
  return Status::Ok();
}

AccessControl::AccessControl(AccessOptions options, MetricsRegistry& metrics)
    : options_(std::move(options)), metrics_(metrics), limiter_(options_.now_ms) {}

int64_t AccessControl::Now() const { return options_.now_ms ? options_.now_ms() : NowMs(); }

Status AccessControl::Authenticate(const HttpRequest& request, Caller* caller, RateLimit* rate) {
  if (Status s = CheckNoKeyInQuery(request.query); !s.ok()) return s;
  auto token = BearerToken(request);
  if (!token.ok()) return token.status();
  auto key = options_.authenticator->Authenticate(*token);
  if (!key.ok()) return key.status();
  caller->key_name = key->name;
  caller->scopes = key->scopes;
  *rate = key->rate;
  return Status::Ok();
}

Admission AccessControl::Admit(const HttpRequest& request, const Route* route) {
  Admission a;
  if (!authenticating() || (route != nullptr && route->open)) return a;
  RateLimit rate;
  if (Status s = Authenticate(request, &a.caller, &rate); !s.ok()) {
    CountRefusal(s, "");
    a.status = std::move(s);
    return a;
  }
  if (route == nullptr) return a;  // the table answers 404 or 405 to a known caller
  if (!a.caller.Has(kScopeAdmin) && !a.caller.Has(route->scopes)) {
    a.status = Status::Forbidden("the API key " + a.caller.key_name + " lacks the " +
                                 ScopeNeeded(route->scopes) + " scope this route needs");
    CountRefusal(a.status, a.caller.key_name);
    return a;
  }
  if (!route->creates_images || rate.unlimited()) return a;
  RateDecision d = limiter_.Take(a.caller.key_name, rate);
  a.headers.Set("RateLimit-Limit", std::to_string(d.limit));
  a.headers.Set("RateLimit-Remaining", std::to_string(d.remaining));
  a.headers.Set("RateLimit-Reset", std::to_string(d.reset_s));
  if (!d.allowed) {
    a.status = Status::QuotaExceeded("the API key " + a.caller.key_name + " may make " +
                                         FormatRateLimit(rate) +
                                         " requests that create images; retry after the "
                                         "Retry-After seconds",
                                     "rate_limited", d.retry_at_ms);
    CountRefusal(a.status, a.caller.key_name);
  }
  return a;
}

Status AccessControl::AdmitSpend(const Caller& caller, double usd) {
  if (options_.spend == nullptr) return Status::Ok();
  std::vector<BudgetScope> budgets;
  for (const Budget& b : options_.global_budgets) budgets.push_back(BudgetScope{"", b});
  if (authenticating() && !caller.key_name.empty()) {
    if (auto key = options_.authenticator->Find(caller.key_name)) {
      for (const Budget& b : key->budgets) budgets.push_back(BudgetScope{caller.key_name, b});
    }
  }
  if (budgets.empty()) return Status::Ok();
  Status s = options_.spend->Check(budgets, usd, Now());
  if (s.code() == StatusCode::kQuotaExceeded) CountRefusal(s, caller.key_name);
  return s;
}

void AccessControl::CountRefusal(const Status& status, std::string_view key) {
  metrics_
      .GetCounter("pictor_auth_refusals_total",
                  "Requests refused for their caller: no or a bad key (key empty), a missing "
                  "scope, the key's rate limit or a spent budget.",
                  {{"reason", status.reason()}, {"key", std::string(key)}})
      .Increment();
}

}  // namespace pictor::http
