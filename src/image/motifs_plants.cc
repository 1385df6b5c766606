// Plants: tree, flower, palm.
#include "image/motif_frame.h"

namespace pictor::image {
namespace {

constexpr Rgb kBark{110, 72, 40};

void DrawTree(const Frame& f, Rgb c) {
  f.Poly({{0.44f, 1.0f}, {0.46f, 0.5f}, {0.54f, 0.5f}, {0.56f, 1.0f}}, kBark);
  f.Stroke({{0.5f, 0.7f}, {0.66f, 0.56f}}, 0.03f, kBark);
  const Rgb dark = Shade(c, 0.72f), light = Shade(c, 1.2f);
  f.Circle(0.3f, 0.48f, 0.17f, dark);
  f.Circle(0.7f, 0.48f, 0.17f, dark);
  f.Circle(0.5f, 0.3f, 0.24f, Paint::Radial(f.P(0.42f, 0.2f), f.L(0.4f), light, c));
  f.Circle(0.3f, 0.42f, 0.16f, Paint::Radial(f.P(0.25f, 0.35f), f.L(0.3f), light, c));
  f.Circle(0.7f, 0.42f, 0.16f, Paint::Radial(f.P(0.65f, 0.35f), f.L(0.3f), light, c));
}

void DrawFlower(const Frame& f, Rgb c) {
  const Rgb stem{60, 140, 60};
  f.Stroke({{0.5f, 0.35f}, {0.48f, 0.7f}, {0.5f, 1.0f}}, 0.04f, stem);
  f.Ellipse(0.32f, 0.72f, 0.2f, 0.06f, stem, -0.5f);
  f.Ellipse(0.68f, 0.8f, 0.2f, 0.06f, stem, 0.5f);
  const Point petals[6] = {{0.5f, 0.14f}, {0.78f, 0.26f}, {0.78f, 0.44f},
                           {0.5f, 0.54f}, {0.22f, 0.44f}, {0.22f, 0.26f}};
  for (const Point& p : petals) f.Circle(p.x, p.y, 0.1f, c);
  f.Circle(0.5f, 0.34f, 0.09f, Rgb{250, 210, 60});
}

void DrawPalm(const Frame& f, Rgb c) {
  f.Stroke({{0.5f, 1.0f}, {0.46f, 0.7f}, {0.48f, 0.45f}, {0.56f, 0.22f}}, 0.06f, {140, 100, 60});
  const Point tip{0.56f, 0.22f};
  const Point leaves[5][2] = {{{0.3f, 0.1f}, {0.04f, 0.3f}},
                              {{0.4f, 0.02f}, {0.2f, 0.05f}},
                              {{0.7f, 0.0f}, {0.9f, 0.06f}},
                              {{0.8f, 0.12f}, {1.0f, 0.34f}},
                              {{0.6f, 0.2f}, {0.7f, 0.44f}}};
  for (const auto& leaf : leaves) {
    Path p;
    p.MoveTo(f.P(tip.x, tip.y))
        .QuadTo(f.P(leaf[0].x, leaf[0].y - 0.06f), f.P(leaf[1].x, leaf[1].y))
        .QuadTo(f.P(leaf[0].x, leaf[0].y + 0.03f), f.P(tip.x, tip.y + 0.02f))
        .Close();
    f.canvas().Fill(p, Paint::Solid(c));
  }
  f.Circle(0.54f, 0.26f, 0.035f, Rgb{110, 75, 40});
  f.Circle(0.6f, 0.27f, 0.035f, Rgb{100, 68, 36});
}

}  // namespace

void DrawPlant(const Frame& f, Motif motif, const MotifStyle& style) {
  switch (motif) {
    case Motif::kTree:
      return DrawTree(f, style.colour);
    case Motif::kFlower:
      return DrawFlower(f, style.colour);
    case Motif::kPalm:
      return DrawPalm(f, style.colour);
    default:
      return;
  }
}

}  // namespace pictor::image
