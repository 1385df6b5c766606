// The list price of one image, by model and size: what every generation is charged against the
// spend budgets (pictor/spend_ledger.h) and what a job's cost_usd says.
//
// The defaults are Amazon Bedrock's on-demand list prices for the image models Pictor serves
// (docs/PRICES.md gives their date and source); the builtin renderer costs nothing, and so does
// an OpenAI-compatible server until the configuration names its price (self-hosted servers are
// free, api.openai.com is not: the operator says which). The configuration's [prices] table
// replaces a model's price by one flat price per image.
#ifndef PICTOR_CORE_PRICES_H_
#define PICTOR_CORE_PRICES_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "pictor/status.h"

namespace pictor {

// One price up to a size: an image of at most `max_pixels` pixels (width x height) costs `usd`.
struct PriceTier {
  int64_t max_pixels = 0;  // 0: any size
  double usd = 0;
  bool operator==(const PriceTier&) const = default;
};

// The most a price may be, per image: a typo of a few digits is refused rather than spending a
// budget in one image.
inline constexpr double kMaxImagePriceUsd = 1000;

// Prices keyed by the model's short name (ImageModel::Name(): "titan", "nova-canvas",
// "builtin"). A value type; thread-safe to read.
class PriceTable {
 public:
  // Bedrock's list prices for Titan v1/v2, Nova Canvas and the Stability models; builtin 0.
  static PriceTable Defaults();

  // Every model at price 0 (tests and the no-cost default of a model the table does not know).
  PriceTable() = default;

  // The price of one `width` x `height` image of `model`: the first tier that holds its pixel
  // count, else the last tier; 0 for a model the table does not name.
  double PriceUsd(std::string_view model, int width, int height) const;

  // Replaces `model`'s tiers with one flat price. InvalidArgument when `model` is not a model's
  // short name (lower-case letters, digits and '-') or `usd` is not a number in
  // [0, kMaxImagePriceUsd].
  Status Override(std::string_view model, double usd);

  // The table's models and tiers, in name order (docs, `pictor spend`).
  const std::map<std::string, std::vector<PriceTier>, std::less<>>& models() const {
    return tiers_;
  }

  bool operator==(const PriceTable&) const = default;

 private:
  std::map<std::string, std::vector<PriceTier>, std::less<>> tiers_;
};

// US dollars as whole millionths, the unit in which charges are added up: sums of decimal prices
// in floating point drift (0.1 + 0.2 != 0.3), and a budget must be exact at its edge.
int64_t UsdToMicros(double usd);
double MicrosToUsd(int64_t micros);

// "0.04", "12.5", "0": the shortest decimal text of a price or sum (at most 6 decimals).
std::string FormatUsd(double usd);

}  // namespace pictor

#endif  // PICTOR_CORE_PRICES_H_
