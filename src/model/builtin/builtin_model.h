// The builtin model: draws a prompt locally with the vector renderer; no network, no cost.
#ifndef PICTOR_MODEL_BUILTIN_BUILTIN_MODEL_H_
#define PICTOR_MODEL_BUILTIN_BUILTIN_MODEL_H_

#include <memory>

#include "core/prices.h"
#include "pictor/image_model.h"

namespace pictor {

inline constexpr int kBuiltinMinSide = 64;
inline constexpr int kBuiltinMaxSide = 2048;

// Name() is "builtin". Accepts widths and heights of kBuiltinMinSide..kBuiltinMaxSide pixels.
// PriceUsd() is `prices`' price for "builtin" (0 in the defaults; a test or a demo may give it
// one to exercise budgets without a paid model). Thread-safe: holds no mutable state.
std::unique_ptr<ImageModel> NewBuiltinModel(PriceTable prices = PriceTable::Defaults());

}  // namespace pictor

#endif  // PICTOR_MODEL_BUILTIN_BUILTIN_MODEL_H_
