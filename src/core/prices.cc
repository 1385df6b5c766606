#include "core/prices.h"

#include <cmath>
#include <cstdio>

namespace pictor {
namespace {

constexpr int64_t k512Square = 512 * 512;
constexpr int64_t k1024Square = 1024 * 1024;

bool IsModelName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

}  // namespace

PriceTable PriceTable::Defaults() {
  // Amazon Bedrock, on-demand, standard quality (what Pictor asks for); see docs/PRICES.md.
  PriceTable t;
  t.tiers_["builtin"] = {{0, 0.0}};
  t.tiers_["titan"] = {{k512Square, 0.008}, {0, 0.01}};
  t.tiers_["titan-v2"] = {{k512Square, 0.008}, {0, 0.01}};
  t.tiers_["nova-canvas"] = {{k1024Square, 0.04}, {0, 0.06}};
  t.tiers_["sd35-large"] = {{0, 0.08}};
  t.tiers_["stable-image-core"] = {{0, 0.04}};
  t.tiers_["stable-image-ultra"] = {{0, 0.14}};
  t.tiers_["openai"] = {{0, 0.0}};
  return t;
}

double PriceTable::PriceUsd(std::string_view model, int width, int height) const {
  auto it = tiers_.find(model);
  if (it == tiers_.end() || it->second.empty()) return 0;
  const int64_t pixels = int64_t{width} * int64_t{height};
  for (const PriceTier& tier : it->second) {
    if (tier.max_pixels == 0 || pixels <= tier.max_pixels) return tier.usd;
  }
  return it->second.back().usd;
}

Status PriceTable::Override(std::string_view model, double usd) {
  if (!IsModelName(model)) {
    return Status::InvalidArgument("price for '" + std::string(model.substr(0, 80)) +
                                   "': a model's short name is 1 to 64 of a-z, 0-9 and '-' "
                                   "(builtin, titan, titan-v2, nova-canvas, ...)");
  }
  if (!std::isfinite(usd) || usd < 0 || usd > kMaxImagePriceUsd) {
    return Status::InvalidArgument("price for '" + std::string(model) +
                                   "' must be a number of US dollars from 0 to 1000 per image");
  }
  tiers_[std::string(model)] = {{0, usd}};
  return Status::Ok();
}

int64_t UsdToMicros(double usd) { return std::llround(usd * 1e6); }

double MicrosToUsd(int64_t micros) { return static_cast<double>(micros) / 1e6; }

std::string FormatUsd(double usd) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f", MicrosToUsd(UsdToMicros(usd)));
  std::string text(buf);
  while (!text.empty() && text.back() == '0') text.pop_back();
  if (!text.empty() && text.back() == '.') text.pop_back();
  if (text == "-0") text = "0";
  return text;
}

}  // namespace pictor
