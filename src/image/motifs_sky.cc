// Things in the sky: moon, star, sun, cloud, balloon, heart, planet, rocket.
#include <cmath>
#include <numbers>

#include "image/motif_frame.h"

namespace pictor::image {
namespace {

constexpr float kPi = std::numbers::pi_v<float>;
constexpr Rgb kWhite{255, 255, 255};

void DrawMoon(const Frame& f, Rgb c) {
  f.Circle(0.5f, 0.5f, 0.7f, Paint::Radial(f.P(0.5f, 0.5f), f.L(0.7f), c, c, 0.12f));
  f.Circle(0.5f, 0.5f, 0.46f,
           Paint::Radial(f.P(0.38f, 0.36f), f.L(0.7f), Shade(c, 1.1f), Shade(c, 0.8f)));
  const Rgb crater = Shade(c, 0.82f);
  f.Circle(0.36f, 0.4f, 0.09f, crater);
  f.Circle(0.6f, 0.62f, 0.12f, crater);
  f.Circle(0.62f, 0.32f, 0.05f, crater);
  f.Circle(0.4f, 0.7f, 0.05f, crater);
}

std::vector<Point> StarPoints(const Frame& f, float u, float v, float r, float inner) {
  std::vector<Point> pts;
  for (int i = 0; i < 10; ++i) {
    const float a = -kPi / 2 + static_cast<float>(i) * kPi / 5;
    const float rr = i % 2 ? r * inner : r;
    pts.push_back(f.P(u + rr * std::cos(a) * f.box().h / f.box().w, v + rr * std::sin(a)));
  }
  return pts;
}

void DrawStar(const Frame& f, Rgb c) {
  f.Circle(0.5f, 0.52f, 0.5f, Paint::Radial(f.P(0.5f, 0.52f), f.L(0.5f), c, c, 0.15f));
  f.canvas().Fill(Path().AddPolygon(StarPoints(f, 0.5f, 0.54f, 0.48f, 0.45f)), Paint::Solid(c));
  f.canvas().Fill(Path().AddPolygon(StarPoints(f, 0.5f, 0.54f, 0.28f, 0.45f)),
                  Paint::Solid(Shade(c, 1.25f), 0.6f));
}

void DrawSun(const Frame& f, Rgb c) {
  f.Circle(0.5f, 0.5f, 0.5f, Paint::Radial(f.P(0.5f, 0.5f), f.L(0.5f), c, c, 0.18f));
  for (int i = 0; i < 12; ++i) {
    const float a = static_cast<float>(i) * kPi / 6, w = 0.07f;
    const float c0 = std::cos(a - w), s0 = std::sin(a - w), c1 = std::cos(a + w),
                s1 = std::sin(a + w), cm = std::cos(a), sm = std::sin(a);
    f.Poly({{0.5f + 0.3f * c0, 0.5f + 0.3f * s0},
            {0.5f + 0.48f * cm, 0.5f + 0.48f * sm},
            {0.5f + 0.3f * c1, 0.5f + 0.3f * s1}},
           Paint::Solid(c, 0.85f));
  }
  f.Circle(0.5f, 0.5f, 0.3f,
           Paint::Radial(f.P(0.42f, 0.42f), f.L(0.34f), Shade(c, 1.3f), Shade(c, 0.95f)));
}

void DrawCloud(const Frame& f, Rgb c) {
  const Rgb shadow = Shade(c, 0.86f);
  f.Rect(0.1f, 0.55f, 0.92f, 0.95f, shadow, 0.2f);
  f.Circle(0.3f, 0.55f, 0.3f, c);
  f.Circle(0.52f, 0.42f, 0.4f, c);
  f.Circle(0.74f, 0.58f, 0.3f, c);
  f.Rect(0.12f, 0.55f, 0.9f, 0.88f, c, 0.18f);
}

void DrawBalloon(const Frame& f, Rgb c) {
  f.Stroke({{0.5f, 0.72f}, {0.45f, 0.82f}, {0.55f, 0.9f}, {0.5f, 1.0f}}, 0.008f, {90, 90, 90});
  f.Poly({{0.5f, 0.68f}, {0.44f, 0.74f}, {0.56f, 0.74f}}, Shade(c, 0.8f));
  f.Ellipse(0.5f, 0.36f, 0.46f, 0.34f,
            Paint::Radial(f.P(0.38f, 0.24f), f.L(0.5f), Shade(c, 1.25f), Shade(c, 0.8f)));
  f.Ellipse(0.36f, 0.24f, 0.08f, 0.06f, Paint::Solid(kWhite, 0.5f), -0.6f);
}

void DrawHeart(const Frame& f, Rgb c) {
  Path p;
  p.MoveTo(f.P(0.5f, 0.95f))
      .CubicTo(f.P(0.2f, 0.72f), f.P(0.0f, 0.5f), f.P(0.04f, 0.28f))
      .CubicTo(f.P(0.1f, 0.02f), f.P(0.42f, 0.0f), f.P(0.5f, 0.24f))
      .CubicTo(f.P(0.58f, 0.0f), f.P(0.9f, 0.02f), f.P(0.96f, 0.28f))
      .CubicTo(f.P(1.0f, 0.5f), f.P(0.8f, 0.72f), f.P(0.5f, 0.95f))
      .Close();
  f.canvas().Fill(p, Paint::Radial(f.P(0.35f, 0.3f), f.L(0.8f), Shade(c, 1.3f), Shade(c, 0.85f)));
}

void DrawPlanet(const Frame& f, Rgb c) {
  const Rgb ring = Shade(c, 1.35f);
  f.Ellipse(0.5f, 0.5f, 0.48f, 0.16f, Paint::Solid(ring, 0.9f), -0.25f);
  f.Ellipse(0.5f, 0.5f, 0.4f, 0.1f, Paint::Solid(Shade(c, 0.5f), 0.9f), -0.25f);
  f.Circle(0.5f, 0.5f, 0.42f,
           Paint::Radial(f.P(0.42f, 0.34f), f.L(0.6f), Shade(c, 1.2f), Shade(c, 0.6f)));
  f.Ellipse(0.5f, 0.42f, 0.24f, 0.05f, Paint::Solid(Shade(c, 0.8f), 0.5f), -0.25f);
  // The front half of the ring, over the planet.
  std::vector<Point> front;
  for (int i = 0; i <= 24; ++i) {
    const float a = kPi * static_cast<float>(i) / 24;
    const float x = 0.44f * std::cos(a), y = 0.13f * std::sin(a);
    const float r = -0.25f;
    front.push_back(f.P(0.5f + (x * std::cos(r) - y * std::sin(r) * f.box().h / f.box().w),
                        0.5f + (x * std::sin(r) * f.box().w / f.box().h + y * std::cos(r))));
  }
  f.canvas().Fill(Path().AddStroke(front, f.L(0.05f)), Paint::Solid(ring, 0.95f));
}

void DrawRocket(const Frame& f, Rgb c) {
  const Rgb body{236, 238, 244}, shade{190, 196, 210};
  // Flame.
  f.Ellipse(0.5f, 0.93f, 0.2f, 0.1f, Paint::Solid({255, 150, 40}, 0.9f));
  f.Poly({{0.3f, 0.84f}, {0.5f, 1.0f}, {0.7f, 0.84f}}, Rgb{255, 150, 40});
  f.Poly({{0.38f, 0.84f}, {0.5f, 0.95f}, {0.62f, 0.84f}}, Rgb{255, 230, 120});
  // Fins.
  f.Poly({{0.22f, 0.62f}, {0.0f, 0.86f}, {0.04f, 0.9f}, {0.25f, 0.82f}}, Shade(c, 0.85f));
  f.Poly({{0.78f, 0.62f}, {1.0f, 0.86f}, {0.96f, 0.9f}, {0.75f, 0.82f}}, Shade(c, 0.85f));
  // Body with a nose cone.
  Path hull;
  hull.MoveTo(f.P(0.5f, 0.0f))
      .CubicTo(f.P(0.86f, 0.16f), f.P(0.82f, 0.5f), f.P(0.74f, 0.85f))
      .LineTo(f.P(0.26f, 0.85f))
      .CubicTo(f.P(0.18f, 0.5f), f.P(0.14f, 0.16f), f.P(0.5f, 0.0f))
      .Close();
  f.canvas().Fill(hull, Paint::Linear(f.P(0.15f, 0.5f), body, f.P(0.85f, 0.5f), shade));
  Path nose;
  nose.MoveTo(f.P(0.5f, 0.0f))
      .CubicTo(f.P(0.7f, 0.08f), f.P(0.76f, 0.16f), f.P(0.79f, 0.22f))
      .LineTo(f.P(0.21f, 0.22f))
      .CubicTo(f.P(0.24f, 0.16f), f.P(0.3f, 0.08f), f.P(0.5f, 0.0f))
      .Close();
  f.canvas().Fill(nose, Paint::Solid(c));
  f.Rect(0.25f, 0.8f, 0.75f, 0.86f, Shade(c, 0.9f));
  f.Poly({{0.47f, 0.62f}, {0.53f, 0.62f}, {0.53f, 0.9f}, {0.47f, 0.9f}}, Shade(c, 0.8f));
  // Porthole.
  f.Circle(0.5f, 0.4f, 0.085f, Rgb{120, 130, 150});
  f.Circle(0.5f, 0.4f, 0.065f,
           Paint::Radial(f.P(0.47f, 0.37f), f.L(0.08f), Rgb{150, 210, 255}, Rgb{40, 90, 170}));
}

}  // namespace

void DrawSkyThing(const Frame& f, Motif motif, const MotifStyle& style) {
  switch (motif) {
    case Motif::kMoon:
      return DrawMoon(f, style.colour);
    case Motif::kStar:
      return DrawStar(f, style.colour);
    case Motif::kSun:
      return DrawSun(f, style.colour);
    case Motif::kCloud:
      return DrawCloud(f, style.colour);
    case Motif::kBalloon:
      return DrawBalloon(f, style.colour);
    case Motif::kHeart:
      return DrawHeart(f, style.colour);
    case Motif::kPlanet:
      return DrawPlanet(f, style.colour);
    case Motif::kRocket:
      return DrawRocket(f, style.colour);
    default:
      return;
  }
}

}  // namespace pictor::image
