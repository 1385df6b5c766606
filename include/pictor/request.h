// The domain's value types: what a user asks for and what a model gives back.
#ifndef PICTOR_REQUEST_H_
#define PICTOR_REQUEST_H_

#include <cstdint>
#include <string>

namespace pictor {

// Largest seed accepted anywhere (the Titan models' upper bound).
inline constexpr uint32_t kMaxSeed = 2147483646;

// The size of an image whose request names none (the original queue consumer's). Written only
// here: request defaults, `pictor send --size` and the job routes all read it.
inline constexpr int kDefaultImageWidth = 512;
inline constexpr int kDefaultImageHeight = 512;

// One image to make. Validated by core (ValidateRequest) before any model sees it.
struct GenerationRequest {
  std::string prompt;
  std::string negative_prompt;
  uint32_t seed = 0;
  int width = kDefaultImageWidth;
  int height = kDefaultImageHeight;
};

// What a model made. `png` holds a complete PNG file of width x height pixels.
struct GeneratedImage {
  std::string png;
  std::string model;  // short, key-safe model name ("builtin", "titan")
  uint32_t seed = 0;
  int width = 0;
  int height = 0;
};

}  // namespace pictor

#endif  // PICTOR_REQUEST_H_
