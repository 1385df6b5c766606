// Made things: ship, boat, car, cake, umbrella, robot, snowman.
#include "image/motif_frame.h"

namespace pictor::image {
namespace {

constexpr Rgb kInk{35, 30, 35};
constexpr Rgb kSail{248, 246, 236};

void DrawShip(const Frame& f, Rgb c) {
  for (float u : {0.35f, 0.65f}) f.Stroke({{u, 0.05f}, {u, 0.72f}}, 0.02f, {90, 60, 40});
  f.Poly({{0.37f, 0.1f}, {0.6f, 0.1f}, {0.62f, 0.5f}, {0.37f, 0.5f}}, kSail);
  f.Poly({{0.67f, 0.16f}, {0.88f, 0.18f}, {0.86f, 0.6f}, {0.67f, 0.6f}}, kSail);
  f.Poly({{0.33f, 0.1f}, {0.08f, 0.62f}, {0.33f, 0.62f}}, Shade(kSail, 0.92f));
  f.Poly({{0.65f, 0.05f}, {0.78f, 0.08f}, {0.65f, 0.11f}}, Rgb{220, 50, 50});
  f.Poly({{0.0f, 0.7f}, {1.0f, 0.66f}, {0.86f, 1.0f}, {0.12f, 1.0f}},
         f.VGrad(0.66f, c, 1.0f, Shade(c, 0.6f)));
  f.Stroke({{0.04f, 0.74f}, {0.97f, 0.71f}}, 0.025f, Rgb{230, 200, 90});
  for (float u : {0.3f, 0.45f, 0.6f, 0.75f}) f.Circle(u, 0.84f, 0.025f, Rgb{40, 30, 25});
}

void DrawBoat(const Frame& f, Rgb c) {
  f.Stroke({{0.5f, 0.02f}, {0.5f, 0.7f}}, 0.025f, {100, 70, 45});
  f.Poly({{0.53f, 0.04f}, {0.92f, 0.64f}, {0.53f, 0.64f}}, kSail);
  f.Poly({{0.47f, 0.12f}, {0.47f, 0.64f}, {0.15f, 0.64f}}, Shade(kSail, 0.9f));
  f.Poly({{0.0f, 0.7f}, {1.0f, 0.7f}, {0.82f, 1.0f}, {0.16f, 1.0f}}, c);
  f.Stroke({{0.03f, 0.76f}, {0.97f, 0.76f}}, 0.03f, Shade(c, 1.4f));
}

void DrawCar(const Frame& f, Rgb c) {
  f.Poly({{0.24f, 0.45f}, {0.34f, 0.08f}, {0.68f, 0.08f}, {0.8f, 0.45f}}, Shade(c, 0.9f));
  f.Poly({{0.3f, 0.42f}, {0.38f, 0.16f}, {0.5f, 0.16f}, {0.5f, 0.42f}}, Rgb{170, 215, 240});
  f.Poly({{0.54f, 0.42f}, {0.54f, 0.16f}, {0.65f, 0.16f}, {0.74f, 0.42f}}, Rgb{170, 215, 240});
  f.RectPaint(0.0f, 0.4f, 1.0f, 0.82f, f.VGrad(0.4f, Shade(c, 1.1f), 0.82f, Shade(c, 0.75f)),
              0.12f);
  f.Rect(0.92f, 0.5f, 1.0f, 0.6f, Rgb{255, 230, 140}, 0.03f);
  for (float u : {0.22f, 0.78f}) {
    f.Circle(u, 0.82f, 0.18f, kInk);
    f.Circle(u, 0.82f, 0.08f, Rgb{190, 190, 195});
  }
}

void DrawCake(const Frame& f, Rgb c) {
  f.Ellipse(0.5f, 0.96f, 0.5f, 0.05f, Rgb{235, 235, 240});
  f.Rect(0.08f, 0.6f, 0.92f, 0.95f, Rgb{150, 95, 60}, 0.03f);
  f.Rect(0.2f, 0.34f, 0.8f, 0.62f, Rgb{160, 105, 65}, 0.03f);
  // Icing with drips.
  f.Rect(0.08f, 0.58f, 0.92f, 0.68f, c, 0.03f);
  f.Rect(0.2f, 0.32f, 0.8f, 0.41f, c, 0.03f);
  for (float u : {0.16f, 0.34f, 0.52f, 0.7f, 0.86f}) f.Ellipse(u, 0.69f, 0.035f, 0.05f, c);
  for (float u : {0.3f, 0.5f, 0.7f}) f.Ellipse(u, 0.42f, 0.03f, 0.04f, c);
  const Rgb candles[3] = {{80, 160, 230}, {240, 200, 60}, {230, 80, 120}};
  for (int i = 0; i < 3; ++i) {
    const float u = 0.35f + 0.15f * static_cast<float>(i);
    f.Rect(u - 0.02f, 0.16f, u + 0.02f, 0.33f, candles[i], 0.01f);
    f.Ellipse(u, 0.1f, 0.03f, 0.055f, Paint::Solid({255, 170, 40}));
    f.Ellipse(u, 0.115f, 0.015f, 0.03f, Paint::Solid({255, 240, 150}));
  }
  for (float u : {0.18f, 0.38f, 0.6f, 0.8f}) f.Circle(u, 0.8f, 0.02f, Rgb{240, 60, 80});
}

void DrawUmbrella(const Frame& f, Rgb c) {
  f.Stroke({{0.5f, 0.12f}, {0.5f, 0.88f}, {0.46f, 0.96f}, {0.4f, 0.9f}}, 0.025f, {70, 60, 55});
  Path canopy;
  canopy.MoveTo(f.P(0.0f, 0.45f)).CubicTo(f.P(0.0f, 0.0f), f.P(1.0f, 0.0f), f.P(1.0f, 0.45f));
  for (int i = 3; i >= 0; --i) {
    const float u0 = 0.25f * static_cast<float>(i + 1), u1 = 0.25f * static_cast<float>(i);
    canopy.QuadTo(f.P((u0 + u1) / 2, 0.36f), f.P(u1, 0.45f));
  }
  canopy.Close();
  f.canvas().Fill(canopy,
                  Paint::Radial(f.P(0.35f, 0.1f), f.L(0.6f), Shade(c, 1.2f), Shade(c, 0.8f)));
  f.Stroke({{0.5f, 0.08f}, {0.5f, 0.4f}}, 0.01f, Shade(c, 0.6f), 0.5f);
}

void DrawRobot(const Frame& f, Rgb c) {
  const Rgb dark = Shade(c, 0.6f);
  f.Stroke({{0.5f, 0.12f}, {0.5f, 0.03f}}, 0.015f, dark);
  f.Circle(0.5f, 0.03f, 0.025f, Rgb{230, 60, 60});
  f.Stroke({{0.2f, 0.42f}, {0.06f, 0.6f}}, 0.05f, dark);
  f.Stroke({{0.8f, 0.42f}, {0.94f, 0.28f}}, 0.05f, dark);
  f.Rect(0.32f, 0.74f, 0.44f, 1.0f, dark, 0.02f);
  f.Rect(0.56f, 0.74f, 0.68f, 1.0f, dark, 0.02f);
  f.RectPaint(0.2f, 0.36f, 0.8f, 0.78f, f.VGrad(0.36f, Shade(c, 1.15f), 0.78f, c), 0.04f);
  f.Rect(0.38f, 0.48f, 0.62f, 0.64f, Rgb{50, 60, 80}, 0.02f);
  for (float u : {0.43f, 0.5f, 0.57f}) f.Circle(u, 0.56f, 0.018f, Rgb{120, 230, 140});
  f.RectPaint(0.26f, 0.1f, 0.74f, 0.34f, f.VGrad(0.1f, Shade(c, 1.2f), 0.34f, c), 0.05f);
  f.Circle(0.4f, 0.21f, 0.045f, Rgb{90, 200, 255});
  f.Circle(0.6f, 0.21f, 0.045f, Rgb{90, 200, 255});
  f.Rect(0.4f, 0.28f, 0.6f, 0.3f, dark);
}

void DrawSnowman(const Frame& f, Rgb c) {
  const Paint snow = Paint::Radial(f.P(0.4f, 0.5f), f.L(0.6f), c, Shade(c, 0.85f));
  f.Circle(0.5f, 0.78f, 0.22f, snow);
  f.Circle(0.5f, 0.45f, 0.16f, snow);
  f.Circle(0.5f, 0.2f, 0.11f, snow);
  f.Rect(0.3f, 0.09f, 0.7f, 0.11f, kInk);
  f.Rect(0.38f, -0.04f, 0.62f, 0.1f, kInk);
  f.Poly({{0.5f, 0.2f}, {0.7f, 0.23f}, {0.5f, 0.24f}}, Rgb{245, 130, 40});
  f.Circle(0.45f, 0.17f, 0.012f, kInk);
  f.Circle(0.56f, 0.17f, 0.012f, kInk);
  for (float v : {0.4f, 0.48f, 0.7f}) f.Circle(0.5f, v, 0.015f, kInk);
  f.Stroke({{0.36f, 0.42f}, {0.1f, 0.3f}}, 0.015f, {110, 72, 40});
  f.Stroke({{0.64f, 0.42f}, {0.9f, 0.3f}}, 0.015f, {110, 72, 40});
}

}  // namespace

void DrawObject(const Frame& f, Motif motif, const MotifStyle& style) {
  switch (motif) {
    case Motif::kShip:
      return DrawShip(f, style.colour);
    case Motif::kBoat:
      return DrawBoat(f, style.colour);
    case Motif::kCar:
      return DrawCar(f, style.colour);
    case Motif::kCake:
      return DrawCake(f, style.colour);
    case Motif::kUmbrella:
      return DrawUmbrella(f, style.colour);
    case Motif::kRobot:
      return DrawRobot(f, style.colour);
    case Motif::kSnowman:
      return DrawSnowman(f, style.colour);
    default:
      return;
  }
}

}  // namespace pictor::image
