#include "spend/store/store_spend_ledger.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <utility>

#include "core/number_text.h"
#include "core/percent_encoding.h"
#include "core/prices.h"
#include "core/spend.h"

namespace pictor {
namespace {

// A period with more charges than this cannot be summed in reasonable time; the check then
// fails (Unavailable) rather than guess.
constexpr size_t kMaxChargesListed = 500000;
// How many of its own charges the ledger remembers for Refund (the newest).
constexpr size_t kRememberedCharges = 4096;
constexpr int64_t kDayMs = 86400000;
constexpr int64_t kMaxDaysListedOneByOne = 31;

std::string DayText(int64_t at_ms) {
  using namespace std::chrono;
  const year_month_day ymd(floor<days>(sys_time<milliseconds>(milliseconds(at_ms))));
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

// The charge a key names, or nullopt for a key that is not one of the ledger's.
std::optional<SpendCharge> ParseChargeName(std::string_view name) {
  std::string_view fields[5];
  for (int i = 0; i < 4; ++i) {
    const size_t comma = name.find(',');
    if (comma == std::string_view::npos) return std::nullopt;
    fields[i] = name.substr(0, comma);
    name.remove_prefix(comma + 1);
  }
  fields[4] = name;
  auto id = PercentDecode(fields[0]);
  auto at = ParseIntegerSetting("at", fields[1], 0, INT64_MAX);
  auto micros = ParseIntegerSetting("usd", fields[2], 0, INT64_MAX);
  if (!id || id->empty() || !at.ok() || !micros.ok() || fields[3].empty()) return std::nullopt;
  return SpendCharge{*id, std::string(fields[4]), std::string(fields[3]), MicrosToUsd(*micros),
                     *at};
}

class StoreSpendLedger final : public SpendLedger {
 public:
  StoreSpendLedger(ObjectStore& store, std::string root, const Clock& clock)
      : store_(store), root_(std::move(root)), clock_(clock) {}

  Status Charge(const SpendCharge& charge, const std::vector<BudgetScope>& budgets) override {
    if (Status s = ValidateCharge(charge); !s.ok()) return s;
    const std::string day = DayText(charge.at_ms);
    auto earlier = FindById(day, charge.id);
    if (!earlier.ok()) return earlier.status();
    if (!earlier->empty()) return Status::Ok();  // recorded before: charged once
    if (Status s = Judge(budgets, UsdToMicros(charge.usd), charge.at_ms); !s.ok()) return s;
    const std::string key = ChargeKey(day, charge);
    const std::string body = "{\"id\":\"" + PercentEncode(charge.id) + "\",\"owner\":\"" +
                             charge.owner + "\",\"model\":\"" + charge.model +
                             "\",\"usd\":" + FormatUsd(charge.usd) +
                             ",\"at_ms\":" + std::to_string(charge.at_ms) + "}\n";
    if (Status s = store_.Put(key, body, "application/json"); !s.ok()) {
      return s.WithContext("recording charge " + charge.id);
    }
    Remember(charge.id, key);
    return Status::Ok();
  }

  Status Check(const std::vector<BudgetScope>& budgets, double usd, int64_t now_ms) override {
    return Judge(budgets, UsdToMicros(usd), now_ms);
  }

  Status Refund(std::string_view id) override {
    std::vector<std::string> keys;
    {
      std::lock_guard lock(mu_);
      auto it = charged_.find(id);
      if (it != charged_.end()) keys.push_back(it->second);
    }
    if (keys.empty()) {
      const int64_t now = clock_.NowMs();
      for (int64_t at : {now, now - kDayMs}) {
        auto found = FindById(DayText(at), id);
        if (!found.ok()) return found.status();
        keys.insert(keys.end(), found->begin(), found->end());
      }
    }
    for (const std::string& key : keys) {
      if (Status s = store_.Delete(key); !s.ok()) {
        return s.WithContext("refunding charge " + std::string(id));
      }
    }
    std::lock_guard lock(mu_);
    charged_.erase(std::string(id));
    return Status::Ok();
  }

  Result<std::vector<SpendCharge>> Since(int64_t since_ms) override {
    std::vector<SpendCharge> charges;
    const int64_t now = clock_.NowMs();
    // A day's folder at a time over a month at most; beyond, one listing of every charge costs
    // fewer calls than a LIST per day.
    std::vector<std::string> folders;
    if (now - since_ms > kMaxDaysListedOneByOne * kDayMs) {
      folders.push_back(root_);
    } else {
      for (int64_t day = since_ms - since_ms % kDayMs; day <= now; day += kDayMs) {
        folders.push_back(Under(DayText(day) + "/"));
      }
    }
    for (const std::string& folder : folders) {
      auto listed = ListCharges(folder);
      if (!listed.ok()) return listed.status();
      for (SpendCharge& c : *listed) {
        if (c.at_ms >= since_ms) charges.push_back(std::move(c));
      }
    }
    std::stable_sort(charges.begin(), charges.end(), [](const auto& a, const auto& b) {
      return a.at_ms != b.at_ms ? a.at_ms < b.at_ms : a.id < b.id;
    });
    return charges;
  }

 private:
  Status Judge(const std::vector<BudgetScope>& budgets, int64_t micros, int64_t at_ms) {
    // One listing per period kind serves every budget of that kind.
    std::map<std::string, std::vector<SpendCharge>> listed;
    return JudgeBudgets(
        budgets, micros, at_ms,
        [&](const BudgetScope& scope, int64_t start, int64_t end) -> Result<int64_t> {
          const std::string day = DayText(start);
          const std::string folder = scope.budget.period == BudgetPeriod::kDay
                                         ? Under(day + "/")
                                         : Under(day.substr(0, 8));  // "YYYY-MM-"
          auto it = listed.find(folder);
          if (it == listed.end()) {
            auto charges = ListCharges(folder);
            if (!charges.ok()) return charges.status();
            it = listed.emplace(folder, std::move(charges).value()).first;
          }
          int64_t sum = 0;
          for (const SpendCharge& c : it->second) {
            if (c.at_ms < start || c.at_ms >= end) continue;
            if (!scope.owner.empty() && c.owner != scope.owner) continue;
            sum += UsdToMicros(c.usd);
          }
          return sum;
        });
  }

  Result<std::vector<SpendCharge>> ListCharges(const std::string& prefix) {
    auto objects = store_.List(prefix, kMaxChargesListed);
    if (!objects.ok()) return objects.status().WithContext("listing charges");
    if (objects->size() >= kMaxChargesListed) {
      return Status::Unavailable("more than " + std::to_string(kMaxChargesListed) +
                                 " charges in one budget period: too many to sum");
    }
    std::vector<SpendCharge> charges;
    for (const ObjectInfo& info : *objects) {
      const size_t slash = info.key.rfind('/');
      auto charge = ParseChargeName(std::string_view(info.key).substr(slash + 1));
      if (charge) charges.push_back(std::move(*charge));  // others are not the ledger's
    }
    return charges;
  }

  Result<std::vector<std::string>> FindById(const std::string& day, std::string_view id) {
    auto objects = store_.List(Under(day + "/" + PercentEncode(id) + ","), 16);
    if (!objects.ok()) return objects.status().WithContext("looking for charge");
    std::vector<std::string> keys;
    for (const ObjectInfo& info : *objects) {
      const size_t slash = info.key.rfind('/');
      auto charge = ParseChargeName(std::string_view(info.key).substr(slash + 1));
      if (charge && charge->id == id) keys.push_back(info.key);
    }
    return keys;
  }

  std::string ChargeKey(const std::string& day, const SpendCharge& c) const {
    return Under(day + "/" + PercentEncode(c.id) + "," + std::to_string(c.at_ms) + "," +
                 std::to_string(UsdToMicros(c.usd)) + "," + c.model + "," + c.owner);
  }

  void Remember(const std::string& id, const std::string& key) {
    std::lock_guard lock(mu_);
    if (charged_.emplace(id, key).second) order_.push_back(id);
    while (order_.size() > kRememberedCharges) {
      charged_.erase(order_.front());
      order_.pop_front();
    }
  }

  std::string Under(const std::string& name) const { return root_ + name; }

  ObjectStore& store_;
  const std::string root_;  // "<prefix>/spend/"
  const Clock& clock_;

  std::mutex mu_;                                            // guards charged_ and order_
  std::map<std::string, std::string, std::less<>> charged_;  // id -> key, this ledger's charges
  std::deque<std::string> order_;                            // charged_'s ids, oldest first
};

}  // namespace

Result<std::unique_ptr<SpendLedger>> OpenStoreSpendLedger(ObjectStore& store, std::string prefix,
                                                          const Clock* clock) {
  prefix = NormalizeKeyPrefix(prefix);
  std::string root = prefix.empty() ? "spend/" : prefix + "/spend/";
  if (Status s = ValidateObjectKey(root + "2000-01-01/x"); !s.ok()) {
    return Status::InvalidArgument("the spend ledger's prefix '" + prefix +
                                   "' cannot begin an object key: " + s.message());
  }
  return std::unique_ptr<SpendLedger>(std::make_unique<StoreSpendLedger>(
      store, std::move(root), clock != nullptr ? *clock : SystemClock()));
}

}  // namespace pictor
