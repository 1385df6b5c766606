// Backdrops: a sky gradient, a horizon at about two thirds of the height, and a ground, with
// a few cheap extras per kind (stars, dunes, waves, far trees, a skyline).
#include "image/backdrop.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace pictor::image {
namespace {

struct Palette {
  Rgb sky_top, sky_bottom, ground_near, ground_far;
};

Palette PaletteOf(Backdrop b) {
  switch (b) {
    case Backdrop::kDay:
      return {{90, 155, 230}, {200, 228, 250}, {90, 160, 70}, {150, 200, 110}};
    case Backdrop::kNight:
      return {{8, 12, 40}, {45, 55, 110}, {20, 45, 40}, {35, 65, 70}};
    case Backdrop::kSpace:
      return {{4, 4, 16}, {30, 16, 58}, {95, 95, 110}, {150, 150, 165}};
    case Backdrop::kDesert:
      return {{250, 190, 120}, {255, 232, 185}, {214, 160, 92}, {238, 198, 130}};
    case Backdrop::kOcean:
      return {{100, 170, 235}, {205, 232, 250}, {18, 70, 130}, {50, 130, 190}};
    case Backdrop::kForest:
      return {{120, 175, 225}, {215, 235, 240}, {45, 110, 50}, {80, 145, 80}};
    case Backdrop::kCity:
      return {{250, 150, 110}, {255, 215, 160}, {80, 80, 90}, {120, 120, 130}};
  }
  return PaletteOf(Backdrop::kDay);
}

// A band of rolling ground: a smooth curve around `y` of amplitude `amp`, filled to the bottom.
void Hills(Canvas& c, float y, float amp, Paint paint, Random& r) {
  const float w = static_cast<float>(c.width()), h = static_cast<float>(c.height());
  const float f1 = r.Range(1.0f, 2.2f), f2 = r.Range(2.5f, 4.5f), p1 = r.Range(0, 6),
              p2 = r.Range(0, 6);
  std::vector<Point> pts;
  const int n = 48;
  for (int i = 0; i <= n; ++i) {
    const float t = static_cast<float>(i) / n;
    pts.push_back({t * w, y + amp * (0.6f * std::sin(t * f1 * 3.1416f + p1) +
                                     0.4f * std::sin(t * f2 * 3.1416f + p2))});
  }
  pts.push_back({w, h + 1});
  pts.push_back({0, h + 1});
  c.Fill(Path().AddPolygon(pts), paint);
}

void Stars(Canvas& c, float bottom, int count, Random& r) {
  const float w = static_cast<float>(c.width());
  const float s = static_cast<float>(std::min(c.width(), c.height()));
  Path small, big;
  for (int i = 0; i < count; ++i) {
    const Point p{r.Range(0, w), r.Range(0, bottom)};
    const float size = r.Unit();
    (size > 0.9f ? big : small).AddCircle(p, s * (size > 0.9f ? 0.004f : 0.0022f) + 0.4f);
  }
  c.Fill(small, Paint::Solid({235, 235, 255}, 0.8f));
  c.Fill(big, Paint::Solid({255, 250, 220}));
}

}  // namespace

float DrawBackdrop(Canvas& c, Backdrop b, Random& r) {
  const float w = static_cast<float>(c.width()), h = static_cast<float>(c.height());
  const float s = std::min(w, h);
  const Palette p = PaletteOf(b);
  const float horizon = h * r.Range(0.6f, 0.66f);
  c.FillVerticalGradient(0, c.height(), p.sky_top, p.sky_bottom);
  const Paint ground = Paint::Linear({0, horizon}, p.ground_far, {0, h}, p.ground_near);
  switch (b) {
    case Backdrop::kDay:
    case Backdrop::kForest:
      Hills(c, horizon - s * 0.05f, s * 0.04f, Paint::Solid(Mix(p.ground_far, p.sky_bottom, 0.4f)),
            r);
      if (b == Backdrop::kForest) {
        Path far;
        for (float x = r.Range(0, s * 0.04f); x < w; x += s * r.Range(0.035f, 0.06f)) {
          const float th = s * r.Range(0.08f, 0.14f);
          far.AddPolygon({{x - th * 0.3f, horizon + s * 0.01f},
                          {x, horizon - th},
                          {x + th * 0.3f, horizon + s * 0.01f}});
        }
        c.Fill(far, Paint::Solid(Shade(p.ground_near, 0.7f)));
      }
      Hills(c, horizon, s * 0.025f, ground, r);
      break;
    case Backdrop::kNight:
      Stars(c, horizon, static_cast<int>(w * h / 3000) + 20, r);
      Hills(c, horizon - s * 0.04f, s * 0.04f, Paint::Solid(Mix(p.ground_far, p.sky_bottom, 0.5f)),
            r);
      Hills(c, horizon, s * 0.02f, ground, r);
      break;
    case Backdrop::kSpace: {
      c.Fill(Path().AddCircle({w * r.Range(0.2f, 0.8f), h * r.Range(0.2f, 0.5f)}, s * 0.5f),
             Paint::Radial({w * 0.5f, h * 0.35f}, s * 0.6f, {120, 60, 160}, {30, 16, 58}, 0.35f));
      Stars(c, h, static_cast<int>(w * h / 1500) + 30, r);
      // The curved surface of a grey world to stand on.
      c.Fill(Path().AddEllipse({w * 0.5f, horizon + w * 1.2f}, w * 1.3f, w * 1.2f + s * 0.02f),
             ground);
      Path craters;
      for (int i = 0; i < 7; ++i) {
        craters.AddEllipse({r.Range(0, w), r.Range(horizon + s * 0.06f, h)},
                           s * r.Range(0.02f, 0.05f), s * r.Range(0.008f, 0.015f));
      }
      c.Fill(craters, Paint::Solid(Shade(p.ground_near, 0.75f), 0.7f));
      break;
    }
    case Backdrop::kDesert:
      c.Fill(Path().AddCircle({w * r.Range(0.15f, 0.85f), horizon - s * 0.02f}, s * 0.3f),
             Paint::Radial({w * 0.5f, horizon}, s * 0.3f, {255, 245, 215}, p.sky_bottom, 0.3f));
      Hills(c, horizon - s * 0.02f, s * 0.03f, Paint::Solid(Mix(p.ground_far, p.sky_bottom, 0.3f)),
            r);
      Hills(c, horizon + s * 0.02f, s * 0.025f, ground, r);
      break;
    case Backdrop::kOcean: {
      c.Fill(Path().AddRect(0, horizon, w, h - horizon + 1), ground);
      Path waves;
      for (int i = 0; i < 26; ++i) {
        const float y = r.Range(horizon + s * 0.02f, h);
        const float x = r.Range(0, w),
                    len = s * r.Range(0.04f, 0.09f) * (y - horizon) / (h - horizon);
        waves.AddStroke({{x, y}, {x + len * 0.5f, y - len * 0.08f}, {x + len, y}}, s * 0.004f);
      }
      c.Fill(waves, Paint::Solid({220, 240, 255}, 0.45f));
      break;
    }
    case Backdrop::kCity: {
      Path far, near;
      for (float x = -s * 0.02f; x < w; x += s * r.Range(0.07f, 0.12f)) {
        far.AddRect(x, horizon - s * r.Range(0.1f, 0.3f), s * r.Range(0.06f, 0.1f), s * 0.4f);
      }
      c.Fill(far, Paint::Solid(Mix(p.ground_far, p.sky_bottom, 0.35f)));
      Path lit;
      for (float x = 0; x < w; x += s * r.Range(0.09f, 0.15f)) {
        const float bh = s * r.Range(0.06f, 0.18f), bw = s * r.Range(0.07f, 0.11f);
        near.AddRect(x, horizon - bh, bw, bh + s * 0.05f);
        for (float wy = horizon - bh + s * 0.02f; wy < horizon - s * 0.02f; wy += s * 0.03f) {
          for (float wx = x + s * 0.015f; wx < x + bw - s * 0.02f; wx += s * 0.025f) {
            if (r.Unit() < 0.6f) lit.AddRect(wx, wy, s * 0.01f, s * 0.014f);
          }
        }
      }
      c.Fill(near, Paint::Solid(Shade(p.ground_far, 0.8f)));
      c.Fill(lit, Paint::Solid({255, 225, 140}, 0.9f));
      c.Fill(Path().AddRect(0, horizon, w, h - horizon + 1), ground);
      break;
    }
  }
  return horizon;
}

}  // namespace pictor::image
