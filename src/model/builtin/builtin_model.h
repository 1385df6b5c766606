// The builtin model: draws a prompt locally with the vector renderer; no network, no cost.
#ifndef PICTOR_MODEL_BUILTIN_BUILTIN_MODEL_H_
#define PICTOR_MODEL_BUILTIN_BUILTIN_MODEL_H_

#include <memory>

#include "pictor/image_model.h"

namespace pictor {

inline constexpr int kBuiltinMinSide = 64;
inline constexpr int kBuiltinMaxSide = 2048;

// Name() is "builtin". Accepts widths and heights of kBuiltinMinSide..kBuiltinMaxSide pixels.
// Thread-safe: holds no mutable state.
std::unique_ptr<ImageModel> NewBuiltinModel();

}  // namespace pictor

#endif  // PICTOR_MODEL_BUILTIN_BUILTIN_MODEL_H_
