#include "core/spend_report.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>

#include "core/prices.h"

namespace pictor {
namespace {

std::string DayOf(int64_t at_ms) {
  using namespace std::chrono;
  const year_month_day ymd(floor<days>(sys_time<milliseconds>(milliseconds(at_ms))));
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

struct Row {
  int64_t images = 0;
  int64_t micros = 0;
};

}  // namespace

Result<SpendGrouping> ParseSpendGrouping(std::string_view text) {
  if (text == "day") return SpendGrouping::kDay;
  if (text == "model") return SpendGrouping::kModel;
  if (text == "key") return SpendGrouping::kKey;
  return Status::InvalidArgument("--by '" + std::string(text.substr(0, 40)) +
                                 "' is not one of day, model, key");
}

Result<int64_t> ParseUtcDate(std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument("date '" + std::string(text.substr(0, 40)) +
                                   "' is not a day such as 2026-03-10 (UTC)");
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return bad();
  int parts[3] = {0, 0, 0};
  const size_t starts[3] = {0, 5, 8};
  const size_t lengths[3] = {4, 2, 2};
  for (int i = 0; i < 3; ++i) {
    for (size_t j = 0; j < lengths[i]; ++j) {
      const char c = text[starts[i] + j];
      if (c < '0' || c > '9') return bad();
      parts[i] = parts[i] * 10 + (c - '0');
    }
  }
  using namespace std::chrono;
  const year_month_day ymd{year(parts[0]), month(static_cast<unsigned>(parts[1])),
                           day(static_cast<unsigned>(parts[2]))};
  if (!ymd.ok() || parts[0] < 1970) return bad();
  return duration_cast<milliseconds>(sys_days(ymd).time_since_epoch()).count();
}

std::string FormatSpendTable(const std::vector<SpendCharge>& charges, SpendGrouping by) {
  std::map<std::string, Row> rows;
  Row total;
  for (const SpendCharge& c : charges) {
    std::string group;
    switch (by) {
      case SpendGrouping::kDay:
        group = DayOf(c.at_ms);
        break;
      case SpendGrouping::kModel:
        group = c.model;
        break;
      case SpendGrouping::kKey:
        group = c.owner.empty() ? "(none)" : c.owner;
        break;
    }
    Row& row = rows[group];
    ++row.images;
    row.micros += UsdToMicros(c.usd);
    ++total.images;
    total.micros += UsdToMicros(c.usd);
  }
  const char* heading = by == SpendGrouping::kDay     ? "day"
                        : by == SpendGrouping::kModel ? "model"
                                                      : "key";
  size_t width = std::max<size_t>(10, std::string_view(heading).size());
  for (const auto& [group, row] : rows) width = std::max(width, group.size());
  std::string out;
  auto line = [&](const std::string& group, const std::string& images, const std::string& usd) {
    char buf[64];
    out += group + std::string(width - group.size() + 2, ' ');
    std::snprintf(buf, sizeof buf, "%8s  ", images.c_str());
    out += buf;
    out += usd + "\n";
  };
  line(heading, "images", "usd");
  for (const auto& [group, row] : rows) {
    line(group, std::to_string(row.images), FormatUsd(MicrosToUsd(row.micros)));
  }
  line("total", std::to_string(total.images), FormatUsd(MicrosToUsd(total.micros)));
  return out;
}

}  // namespace pictor
