// RenderScene: backdrop, then motifs placed by a seeded generator with little overlap.
#include "image/scene.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "image/backdrop.h"
#include "image/motifs.h"

namespace pictor::image {
namespace {

constexpr int kMaxInstances = 14;

uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : s) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

bool Has(const SceneWords& w, Motif m) {
  return std::any_of(w.motifs.begin(), w.motifs.end(),
                     [m](const MotifWish& x) { return x.motif == m; });
}

struct Placed {
  Motif motif;
  Box box;
  MotifStyle style;
  Zone zone;
};

float Overlap(const Box& a, const Box& b) {
  const float w = std::min(a.x + a.w, b.x + b.w) - std::max(a.x, b.x);
  const float h = std::min(a.y + a.h, b.y + b.h) - std::max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

// Where a motif goes in this scene: water things fly when there is no water.
Zone ZoneIn(Motif m, Backdrop b, const SceneWords& words) {
  const Zone z = ShapeOf(m).zone;
  if (z != Zone::kWater || b == Backdrop::kOcean) return z;
  if (m == Motif::kShip || m == Motif::kBoat) return Zone::kGround;
  return Has(words, Motif::kRocket) || b == Backdrop::kSpace || b == Backdrop::kNight
             ? Zone::kSky
             : Zone::kGround;
}

// Tries a handful of positions and keeps the one overlapping least with what is placed.
Box Place(const std::vector<Placed>& placed, float bw, float bh, Zone zone, float width,
          float height, float horizon, Random& r) {
  Box best;
  float best_cost = 1e30f;
  for (int attempt = 0; attempt < 24; ++attempt) {
    Box b{r.Range(0, std::max(width - bw, 1.0f)), 0, bw, bh};
    switch (zone) {
      case Zone::kSky:
        b.y = r.Range(height * 0.03f, std::max(horizon - bh * 1.1f, height * 0.04f));
        break;
      case Zone::kFar:
        b.y = horizon + height * 0.03f - bh;
        break;
      case Zone::kGround:
        b.y = r.Range(horizon + height * 0.04f, height * 0.97f) - bh;
        break;
      case Zone::kWater:
        b.y = r.Range(horizon + bh * 0.3f, height * 0.97f - bh);
        break;
    }
    float cost = 0;
    for (const Placed& p : placed) cost += Overlap(b, p.box) * (p.zone == zone ? 1.0f : 0.35f);
    if (cost < best_cost) {
      best_cost = cost;
      best = b;
    }
    if (cost == 0) break;
  }
  return best;
}

int DrawOrder(const Placed& p) {
  switch (p.zone) {
    case Zone::kFar:
      return 0;
    case Zone::kSky:
      return 1;
    case Zone::kWater:
      return 2;
    case Zone::kGround:
      return 3;
  }
  return 3;
}

// Four-pointed twinkles, only in the sky: above `horizon` less the height the backdrop's far
// hills may rise to, so none lands on the ground.
void Sparkles(Canvas& c, int count, float horizon, Random& r) {
  const float w = static_cast<float>(c.width()), h = static_cast<float>(c.height());
  const float s = std::min(w, h);
  const float bottom = std::max(horizon - s * 0.1f, h * 0.1f);
  Path p;
  for (int i = 0; i < count; ++i) {
    const float a = s * r.Range(0.008f, 0.02f);
    const float x = r.Range(0, w), y = r.Range(a, std::max(bottom - a, a));
    const float b = a * 0.22f;
    p.AddPolygon({{x, y - a},
                  {x + b, y - b},
                  {x + a, y},
                  {x + b, y + b},
                  {x, y + a},
                  {x - b, y + b},
                  {x - a, y},
                  {x - b, y - b}});
  }
  c.Fill(p, Paint::Solid({255, 245, 190}, 0.9f));
}

// Turns each rocket's nose towards the moon (or, failing that, a planet) when there is one,
// within 60 degrees of upright.
void AimRockets(std::vector<Placed>& placed) {
  const Placed* target = nullptr;
  for (const Motif m : {Motif::kMoon, Motif::kPlanet}) {
    for (const Placed& p : placed) {
      if (target == nullptr && p.motif == m) target = &p;
    }
  }
  if (target == nullptr) return;
  const float tx = target->box.x + target->box.w / 2, ty = target->box.y + target->box.h / 2;
  for (Placed& p : placed) {
    if (p.motif != Motif::kRocket) continue;
    const float dx = tx - (p.box.x + p.box.w / 2), dy = ty - (p.box.y + p.box.h / 2);
    // A positive tilt turns the nose (the top of the box) to the right.
    p.box.tilt = std::clamp(std::atan2(dx, -dy), -1.05f, 1.05f);
  }
}

}  // namespace

Backdrop ChooseBackdrop(const SceneWords& w) {
  if (w.backdrop) return *w.backdrop;
  if (Has(w, Motif::kPlanet)) return Backdrop::kSpace;
  if (Has(w, Motif::kRocket) || Has(w, Motif::kMoon) || Has(w, Motif::kStar))
    return Backdrop::kNight;
  if (Has(w, Motif::kPyramid) || Has(w, Motif::kPalm)) return Backdrop::kDesert;
  if (Has(w, Motif::kWhale) || Has(w, Motif::kShip) || Has(w, Motif::kBoat) ||
      Has(w, Motif::kFish) || Has(w, Motif::kSalmon) || Has(w, Motif::kLighthouse)) {
    return Backdrop::kOcean;
  }
  return Backdrop::kDay;
}

Canvas RenderScene(std::string_view prompt, uint32_t seed, int width, int height) {
  width = std::clamp(width, 1, 4096);
  height = std::clamp(height, 1, 4096);
  SceneWords words = ReadPrompt(prompt);
  Random r(Fnv1a(prompt) ^ (uint64_t{seed} * 0x9E3779B97F4A7C15ull));
  if (words.motifs.empty()) {
    // Nothing recognised: a quiet landscape rather than an empty one.
    words.motifs.push_back({Motif::kTree, 2, std::nullopt, false});
    words.motifs.push_back(
        {r.Unit() < 0.5f ? Motif::kHouse : Motif::kFlower, 1, std::nullopt, false});
    words.motifs.push_back({Motif::kCloud, 2, std::nullopt, false});
  }
  const Backdrop backdrop = ChooseBackdrop(words);
  Canvas canvas(width, height);
  const float horizon = DrawBackdrop(canvas, backdrop, r);

  const float w = static_cast<float>(width), h = static_cast<float>(height), s = std::min(w, h);
  int total = 0;
  for (const MotifWish& m : words.motifs) total += m.count;
  const float crowd =
      total > 4 ? std::sqrt(4.0f / static_cast<float>(std::min(total, kMaxInstances))) : 1.0f;

  std::vector<Placed> placed;
  for (const MotifWish& wish : words.motifs) {
    for (int i = 0; i < wish.count && static_cast<int>(placed.size()) < kMaxInstances; ++i) {
      const MotifShape shape = ShapeOf(wish.motif);
      const Zone zone = ZoneIn(wish.motif, backdrop, words);
      const float scale = zone == Zone::kFar ? 1.0f : crowd;
      const float bh = std::min(shape.size * s * scale * r.Range(0.85f, 1.15f), h * 0.6f);
      const float bw = std::min(bh * shape.aspect, w * 0.9f);
      Placed p{wish.motif, Place(placed, bw, bh, zone, w, h, horizon, r), {}, zone};
      p.style.variation = r.Unit();
      p.style.flip = r.Unit() < 0.5f;
      p.style.egyptian = wish.egyptian;
      p.style.colour = wish.colour ? *wish.colour : DefaultColour(wish.motif, p.style.variation);
      if (wish.motif == Motif::kRocket)
        p.box.tilt = r.Range(0.15f, 0.45f) * (p.style.flip ? -1.0f : 1.0f);
      placed.push_back(p);
    }
  }
  AimRockets(placed);
  std::stable_sort(placed.begin(), placed.end(), [](const Placed& a, const Placed& b) {
    const int oa = DrawOrder(a), ob = DrawOrder(b);
    if (oa != ob) return oa < ob;
    return oa == 3 && a.box.y + a.box.h < b.box.y + b.box.h;
  });
  // Behind the motifs, so a twinkle never sits on the moon or a rocket.
  if (words.magical) Sparkles(canvas, 18, horizon, r);
  for (const Placed& p : placed) {
    if (p.zone == Zone::kGround) {
      const Point foot{p.box.x + p.box.w / 2, p.box.y + p.box.h};
      canvas.Fill(Path().AddEllipse(foot, p.box.w * 0.5f, std::max(p.box.h * 0.05f, 1.0f)),
                  Paint::Radial(foot, p.box.w * 0.5f, {0, 0, 0}, {0, 0, 0}, 0.22f));
    }
    DrawMotif(canvas, p.motif, p.box, p.style);
  }
  return canvas;
}

}  // namespace pictor::image
