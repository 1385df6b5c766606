#include "core/api_key.h"

#include <sys/random.h>

#include <cerrno>
#include <cstring>

#include "core/base64.h"
#include "core/digest.h"
#include "core/quota.h"

namespace pictor {
namespace {

constexpr size_t kEncodedLength = kApiKeyLength - kApiKeyPrefix.size();  // 43

// The index of `c` in the base64url alphabet, or -1.
int Base64UrlIndex(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// getrandom(2) without GRND_NONBLOCK: it waits only until the kernel's pool is first seeded
// (early boot), and requests of up to 256 bytes are never cut short once it is; the loop is
// for signals.
Status FillRandom(char* out, size_t size) {
  size_t got = 0;
  while (got < size) {
    const ssize_t n = ::getrandom(out + got, size - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::Unavailable(std::string("the system's random source failed: ") +
                                 std::strerror(errno));
    }
    got += static_cast<size_t>(n);
  }
  return Status::Ok();
}

bool IsHashText(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Status BadField(std::string_view name, std::string_view why) {
  return Status::InvalidArgument("key '" + std::string(name.substr(0, 80)) +
                                 "': " + std::string(why));
}

constexpr int64_t kMaxRatePeriodS = 31 * 86400;

}  // namespace

Result<std::string> NewApiKey() {
  std::string bytes(kApiKeyRandomBytes, '\0');
  if (Status s = FillRandom(bytes.data(), bytes.size()); !s.ok()) return s;
  std::string text = Base64Encode(bytes);
  while (!text.empty() && text.back() == '=') text.pop_back();
  for (char& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return std::string(kApiKeyPrefix) + text;
}

std::string HashApiKey(std::string_view key) { return Sha256Hex(key); }

bool LooksLikeApiKey(std::string_view text) {
  if (text.size() != kApiKeyLength || !text.starts_with(kApiKeyPrefix)) return false;
  text.remove_prefix(kApiKeyPrefix.size());
  for (char c : text) {
    if (Base64UrlIndex(c) < 0) return false;
  }
  // 43 characters carry 258 bits: the last character's two low bits are padding, zero in what
  // NewApiKey makes.
  static_assert(kEncodedLength * 6 == kApiKeyRandomBytes * 8 + 2);
  return (Base64UrlIndex(text.back()) & 0x3) == 0;
}

Status ValidateApiKeyRecord(const ApiKeyRecord& r) {
  if (Status s = ValidateKeyName(r.name); !s.ok()) return s;
  if (!IsHashText(r.hash)) return BadField(r.name, "hash is not 64 lower-case hex characters");
  if (!r.previous_hash.empty() && !IsHashText(r.previous_hash)) {
    return BadField(r.name, "previous hash is not 64 lower-case hex characters");
  }
  if (r.scopes == 0 || (r.scopes & ~kAllScopes) != 0) {
    return BadField(r.name, "scopes are not a non-empty set of generate, read and admin");
  }
  if (r.rate.count < 0 || r.rate.count > 1000000 || r.rate.period_s < 1 ||
      r.rate.period_s > kMaxRatePeriodS) {
    return BadField(r.name, "rate is not 0 to 1000000 requests per 1 s to 31 days");
  }
  for (const Budget& b : r.budgets) {
    auto again = ParseBudget(FormatBudget(b));
    if (!again.ok() || !(*again == b)) {
      return BadField(r.name,
                      "a budget is not an amount above 0 and at most 1000000 USD with at "
                      "most 4 decimals, per day or month");
    }
  }
  if (r.created_ms < 0 || r.revoked_ms < 0 || r.previous_expires_ms < 0) {
    return BadField(r.name, "a time is negative");
  }
  return Status::Ok();
}

std::string FormatBudgetList(const std::vector<Budget>& budgets) {
  std::string out;
  for (const Budget& b : budgets) {
    if (!out.empty()) out += ',';
    out += FormatBudget(b);
  }
  return out;
}

Result<std::vector<Budget>> ParseBudgetList(std::string_view text) {
  std::vector<Budget> out;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    auto budget = ParseBudget(text.substr(0, comma));
    if (!budget.ok()) return budget.status();
    out.push_back(*budget);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
    if (text.empty()) return Status::InvalidArgument("budget list ends in ','");
  }
  return out;
}

}  // namespace pictor
