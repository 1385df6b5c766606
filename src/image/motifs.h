// Motifs: one small vector drawing per noun the lexicon knows.
#ifndef PICTOR_IMAGE_MOTIFS_H_
#define PICTOR_IMAGE_MOTIFS_H_

#include "image/canvas.h"
#include "image/lexicon.h"

namespace pictor::image {

// Where a motif belongs in a scene.
enum class Zone { kSky, kGround, kWater, kFar };

// A motif's natural proportions: width / height, height as a fraction of the image's shorter
// side, and the zone it is placed in.
struct MotifShape {
  float aspect;
  float size;
  Zone zone;
};
MotifShape ShapeOf(Motif motif);

// The pixel rectangle a motif is drawn into, and an optional tilt (radians) about its centre.
struct Box {
  float x = 0, y = 0, w = 0, h = 0;
  float tilt = 0;
};

struct MotifStyle {
  Rgb colour;              // the main colour (a colour word, or the motif's own)
  bool flip = false;       // mirror left-right
  bool egyptian = false;   // people only
  float variation = 0.5f;  // 0..1, small per-instance differences (hue of a balloon, ...)
};

// The colour a motif has when no colour word names one.
Rgb DefaultColour(Motif motif, float variation);

// Draws `motif` into `box`. Stateless; any box is accepted (parts outside are clipped).
void DrawMotif(Canvas& canvas, Motif motif, const Box& box, const MotifStyle& style);

}  // namespace pictor::image

#endif  // PICTOR_IMAGE_MOTIFS_H_
