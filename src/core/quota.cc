#include "core/quota.h"

#include <chrono>
#include <cmath>
#include <string>

#include "core/number_text.h"

namespace pictor {
namespace {

struct NamedScope {
  std::string_view name;
  Scope scope;
};
constexpr NamedScope kScopes[] = {
    {"generate", kScopeGenerate}, {"read", kScopeRead}, {"admin", kScopeAdmin}};

struct NamedUnit {
  std::string_view name;
  int64_t seconds;
};
constexpr NamedUnit kUnits[] = {{"s", 1},       {"sec", 1},  {"second", 1},  {"min", 60},
                                {"minute", 60}, {"h", 3600}, {"hour", 3600}, {"day", 86400}};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }

Status Invalid(std::string_view what, std::string_view text, std::string_view expected) {
  return Status::InvalidArgument(std::string(what) + " '" + std::string(text) +
                                 "' is not valid: expected " + std::string(expected));
}

}  // namespace

Result<uint32_t> ParseScopes(std::string_view text) {
  constexpr std::string_view kExpected = "a comma-separated list of generate, read, admin";
  if (text.empty()) return Invalid("scope", text, kExpected);
  uint32_t scopes = 0;
  std::string_view rest = text;
  while (true) {
    const size_t comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    bool known = false;
    for (const NamedScope& s : kScopes) {
      if (item != s.name) continue;
      if ((scopes & s.scope) != 0) return Invalid("scope", text, "each scope at most once");
      scopes |= s.scope;
      known = true;
    }
    if (!known) return Invalid("scope", text, kExpected);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return scopes;
}

std::string FormatScopes(uint32_t scopes) {
  std::string out;
  for (const NamedScope& s : kScopes) {
    if ((scopes & s.scope) == 0) continue;
    if (!out.empty()) out += ',';
    out += s.name;
  }
  return out;
}

Result<RateLimit> ParseRateLimit(std::string_view text) {
  constexpr std::string_view kExpected =
      "COUNT/UNIT such as 60/min (UNIT: s, min, h, day), or "
      "unlimited";
  if (text == "unlimited") return RateLimit{0, 60};
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) return Invalid("rate", text, kExpected);
  auto count = ParseIntegerSetting("rate count", text.substr(0, slash), 1, 1000000);
  if (!count.ok()) return Invalid("rate", text, kExpected);
  const std::string_view unit = text.substr(slash + 1);
  for (const NamedUnit& u : kUnits) {
    if (unit == u.name) return RateLimit{*count, u.seconds};
  }
  return Invalid("rate", text, kExpected);
}

std::string FormatRateLimit(const RateLimit& rate) {
  if (rate.unlimited()) return "unlimited";
  for (const NamedUnit& u :
       {NamedUnit{"s", 1}, NamedUnit{"min", 60}, NamedUnit{"h", 3600}, NamedUnit{"day", 86400}}) {
    if (rate.period_s == u.seconds) return std::to_string(rate.count) + "/" + std::string(u.name);
  }
  return std::to_string(rate.count) + "/" + std::to_string(rate.period_s) + "s";
}

Result<Budget> ParseBudget(std::string_view text) {
  constexpr std::string_view kExpected =
      "AMOUNTusd/PERIOD such as 5usd/day or 50usd/month (AMOUNT > 0, at most 1000000, at most "
      "4 decimals)";
  const size_t usd = text.find("usd/");
  if (usd == std::string_view::npos || usd == 0) return Invalid("budget", text, kExpected);
  const std::string_view amount_text = text.substr(0, usd);
  for (char c : amount_text) {
    if (!IsDigit(c) && c != '.') return Invalid("budget", text, kExpected);
  }
  const size_t dot = amount_text.find('.');
  if (dot != std::string_view::npos &&
      (dot == 0 || dot + 1 == amount_text.size() || amount_text.size() - dot - 1 > 4)) {
    return Invalid("budget", text, kExpected);
  }
  auto amount = ParseFiniteSetting("budget", amount_text);
  if (!amount.ok() || !(*amount > 0) || *amount > 1000000) {
    return Invalid("budget", text, kExpected);
  }
  const std::string_view period = text.substr(usd + 4);
  if (period == "day") return Budget{*amount, BudgetPeriod::kDay};
  if (period == "month") return Budget{*amount, BudgetPeriod::kMonth};
  return Invalid("budget", text, kExpected);
}

std::string FormatBudget(const Budget& budget) {
  std::string amount = std::to_string(budget.usd);  // "5.000000"
  while (!amount.empty() && amount.back() == '0') amount.pop_back();
  if (!amount.empty() && amount.back() == '.') amount.pop_back();
  return amount + "usd/" + (budget.period == BudgetPeriod::kDay ? "day" : "month");
}

int64_t PeriodStartMs(BudgetPeriod period, int64_t at_ms) {
  using namespace std::chrono;
  const sys_days day = floor<days>(sys_time<milliseconds>(milliseconds(at_ms)));
  if (period == BudgetPeriod::kDay) {
    return duration_cast<milliseconds>(day.time_since_epoch()).count();
  }
  const year_month_day ymd(day);
  const sys_days first = sys_days(ymd.year() / ymd.month() / 1);
  return duration_cast<milliseconds>(first.time_since_epoch()).count();
}

int64_t NextPeriodStartMs(BudgetPeriod period, int64_t at_ms) {
  using namespace std::chrono;
  const sys_days day = floor<days>(sys_time<milliseconds>(milliseconds(at_ms)));
  if (period == BudgetPeriod::kDay) {
    return duration_cast<milliseconds>((day + days(1)).time_since_epoch()).count();
  }
  const year_month_day ymd(day);
  const year_month next = ymd.year() / ymd.month() + months(1);
  return duration_cast<milliseconds>(sys_days(next / 1).time_since_epoch()).count();
}

Status ValidateKeyName(std::string_view name) {
  const bool ok_length = !name.empty() && name.size() <= 64;
  bool ok = ok_length && (IsLower(name[0]) || IsDigit(name[0]));
  for (size_t i = 1; ok && i < name.size(); ++i) {
    const char c = name[i];
    ok = IsLower(c) || IsDigit(c) || c == '.' || c == '_' || c == '-';
  }
  if (ok) return Status::Ok();
  return Status::InvalidArgument(
      "key name '" + std::string(name.substr(0, 80)) +
      "' is not valid: 1 to 64 characters of a-z, 0-9, '.', '_' and '-', starting with a letter "
      "or digit");
}

}  // namespace pictor
