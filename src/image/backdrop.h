// Backdrops: sky, horizon and ground for each scene kind. Private to the renderer.
#ifndef PICTOR_IMAGE_BACKDROP_H_
#define PICTOR_IMAGE_BACKDROP_H_

#include <cstdint>

#include "image/canvas.h"
#include "image/lexicon.h"

namespace pictor::image {

// A small deterministic generator (splitmix64), so layouts are the same on every platform.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1).
  float Unit() { return static_cast<float>(Next() >> 40) / static_cast<float>(1ull << 24); }
  float Range(float lo, float hi) { return lo + (hi - lo) * Unit(); }

 private:
  uint64_t state_;
};

// Paints the backdrop over the whole canvas and returns the horizon's y in pixels.
float DrawBackdrop(Canvas& canvas, Backdrop backdrop, Random& random);

}  // namespace pictor::image

#endif  // PICTOR_IMAGE_BACKDROP_H_
