// Buildings and landforms: pyramid, house, mountain, castle, tent, lighthouse.
#include "image/motif_frame.h"

namespace pictor::image {
namespace {

constexpr Rgb kWindow{250, 225, 140};

void DrawPyramid(const Frame& f, Rgb c) {
  f.Poly({{0.0f, 1.0f}, {0.5f, 0.0f}, {0.62f, 1.0f}}, f.VGrad(0.0f, Shade(c, 1.15f), 1.0f, c));
  f.Poly({{0.62f, 1.0f}, {0.5f, 0.0f}, {1.0f, 1.0f}}, Shade(c, 0.7f));
  for (int i = 1; i < 8; ++i) {
    const float v = static_cast<float>(i) / 8;
    f.Stroke({{0.5f - v * 0.5f, v}, {0.5f + v * 0.12f, v}}, 0.006f, Shade(c, 0.8f), 0.6f);
    f.Stroke({{0.5f + v * 0.12f, v}, {0.5f + v * 0.5f, v}}, 0.006f, Shade(c, 0.55f), 0.6f);
  }
}

void DrawHouse(const Frame& f, Rgb c) {
  const Rgb wall{240, 228, 205};
  f.Rect(0.68f, 0.08f, 0.78f, 0.35f, Rgb{120, 80, 70});
  f.Rect(0.1f, 0.42f, 0.9f, 1.0f, wall);
  f.Poly({{0.02f, 0.46f}, {0.5f, 0.02f}, {0.98f, 0.46f}}, c);
  f.Poly({{0.02f, 0.46f}, {0.98f, 0.46f}, {0.98f, 0.5f}, {0.02f, 0.5f}}, Shade(c, 0.7f));
  f.Rect(0.42f, 0.66f, 0.58f, 1.0f, Rgb{120, 75, 45}, 0.02f);
  f.Circle(0.55f, 0.84f, 0.012f, Rgb{230, 200, 80});
  for (float u : {0.2f, 0.66f}) {
    f.Rect(u, 0.58f, u + 0.14f, 0.74f, kWindow, 0.01f);
    f.Stroke({{u + 0.07f, 0.58f}, {u + 0.07f, 0.74f}}, 0.012f, wall);
    f.Stroke({{u, 0.66f}, {u + 0.14f, 0.66f}}, 0.012f, wall);
  }
}

void DrawMountain(const Frame& f, Rgb c) {
  f.Poly({{0.0f, 1.0f}, {0.5f, 0.0f}, {1.0f, 1.0f}},
         f.VGrad(0.0f, Shade(c, 1.1f), 1.0f, Shade(c, 0.8f)));
  f.Poly({{0.5f, 0.0f}, {0.62f, 1.0f}, {1.0f, 1.0f}}, Paint::Solid(Shade(c, 0.6f), 0.5f));
  f.Poly(
      {{0.5f, 0.0f}, {0.66f, 0.32f}, {0.58f, 0.28f}, {0.5f, 0.36f}, {0.42f, 0.27f}, {0.34f, 0.32f}},
      Rgb{250, 250, 255});
}

void DrawCastle(const Frame& f, Rgb c) {
  const Rgb dark = Shade(c, 0.75f);
  auto tower = [&](float u0, float u1, float top, Rgb col) {
    f.Rect(u0, top, u1, 1.0f, col);
    const float w = (u1 - u0) / 5;
    for (int i = 0; i < 5; i += 2) {
      f.Rect(u0 + w * static_cast<float>(i), top - 0.05f, u0 + w * static_cast<float>(i + 1), top,
             col);
    }
  };
  tower(0.2f, 0.8f, 0.4f, c);
  tower(0.0f, 0.2f, 0.2f, dark);
  tower(0.8f, 1.0f, 0.2f, dark);
  tower(0.4f, 0.6f, 0.12f, Shade(c, 0.9f));
  f.Stroke({{0.5f, 0.07f}, {0.5f, -0.1f}}, 0.01f, {60, 60, 60});
  f.Poly({{0.5f, -0.1f}, {0.62f, -0.06f}, {0.5f, -0.02f}}, Rgb{220, 50, 50});
  f.Rect(0.42f, 0.7f, 0.58f, 1.0f, Rgb{80, 55, 40}, 0.08f);
  for (float u : {0.07f, 0.87f, 0.47f}) f.Rect(u, 0.35f, u + 0.06f, 0.45f, Rgb{60, 60, 70}, 0.03f);
}

void DrawTent(const Frame& f, Rgb c) {
  f.Poly({{0.0f, 1.0f}, {0.5f, 0.05f}, {1.0f, 1.0f}}, f.VGrad(0.05f, Shade(c, 1.1f), 1.0f, c));
  f.Poly({{0.5f, 0.05f}, {0.62f, 1.0f}, {1.0f, 1.0f}}, Paint::Solid(Shade(c, 0.7f), 0.6f));
  f.Poly({{0.36f, 1.0f}, {0.5f, 0.4f}, {0.64f, 1.0f}}, Shade(c, 0.4f));
  f.Stroke({{0.5f, 0.05f}, {0.5f, -0.05f}}, 0.02f, {90, 70, 50});
}

void DrawLighthouse(const Frame& f, Rgb c) {
  f.Poly({{0.5f, 0.18f}, {1.0f, 0.05f}, {1.0f, 0.32f}}, Paint::Solid({255, 245, 180}, 0.35f));
  f.Poly({{0.2f, 1.0f}, {0.32f, 0.25f}, {0.68f, 0.25f}, {0.8f, 1.0f}}, Rgb{245, 245, 245});
  for (float v : {0.4f, 0.7f}) {
    const float w0 = 0.18f + (v - 0.25f) * 0.16f, w1 = 0.18f + (v + 0.15f - 0.25f) * 0.16f;
    f.Poly({{0.5f - w0, v}, {0.5f + w0, v}, {0.5f + w1, v + 0.15f}, {0.5f - w1, v + 0.15f}}, c);
  }
  f.Rect(0.28f, 0.22f, 0.72f, 0.26f, Rgb{60, 60, 70});
  f.Rect(0.36f, 0.1f, 0.64f, 0.22f, Rgb{255, 235, 130});
  f.Poly({{0.32f, 0.1f}, {0.5f, 0.0f}, {0.68f, 0.1f}}, Shade(c, 0.7f));
  f.Rect(0.44f, 0.86f, 0.56f, 1.0f, Rgb{80, 60, 50}, 0.04f);
}

}  // namespace

void DrawBuilding(const Frame& f, Motif motif, const MotifStyle& style) {
  switch (motif) {
    case Motif::kPyramid:
      return DrawPyramid(f, style.colour);
    case Motif::kHouse:
      return DrawHouse(f, style.colour);
    case Motif::kMountain:
      return DrawMountain(f, style.colour);
    case Motif::kCastle:
      return DrawCastle(f, style.colour);
    case Motif::kTent:
      return DrawTent(f, style.colour);
    case Motif::kLighthouse:
      return DrawLighthouse(f, style.colour);
    default:
      return;
  }
}

}  // namespace pictor::image
