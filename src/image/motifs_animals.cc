// Living things: cat, dog, salmon, fish, bird, person, horse, whale, dragon, butterfly.
#include "image/motif_frame.h"

namespace pictor::image {
namespace {

constexpr Rgb kInk{35, 30, 35};
constexpr Rgb kWhite{255, 255, 255};

void Eye(const Frame& f, float u, float v, float r) {
  f.Circle(u, v, r, kWhite);
  f.Circle(u + r * 0.2f * f.box().h / f.box().w, v, r * 0.6f, kInk);
}

void DrawCat(const Frame& f, Rgb c) {
  const Rgb dark = Shade(c, 0.75f);
  f.Stroke({{0.72f, 0.9f}, {0.9f, 0.82f}, {0.94f, 0.6f}, {0.86f, 0.48f}}, 0.07f, dark);
  f.Ellipse(0.5f, 0.7f, 0.3f, 0.28f, f.VGrad(0.4f, c, 1.0f, dark));
  f.Ellipse(0.38f, 0.94f, 0.1f, 0.05f, c);
  f.Ellipse(0.62f, 0.94f, 0.1f, 0.05f, c);
  f.Poly({{0.26f, 0.3f}, {0.3f, 0.04f}, {0.44f, 0.18f}}, c);
  f.Poly({{0.74f, 0.3f}, {0.7f, 0.04f}, {0.56f, 0.18f}}, c);
  f.Poly({{0.3f, 0.22f}, {0.31f, 0.1f}, {0.39f, 0.18f}}, Rgb{240, 160, 170});
  f.Poly({{0.7f, 0.22f}, {0.69f, 0.1f}, {0.61f, 0.18f}}, Rgb{240, 160, 170});
  f.Ellipse(0.5f, 0.32f, 0.25f, 0.2f, c);
  f.Ellipse(0.41f, 0.3f, 0.05f, 0.06f, Rgb{120, 200, 90});
  f.Ellipse(0.59f, 0.3f, 0.05f, 0.06f, Rgb{120, 200, 90});
  f.Ellipse(0.41f, 0.3f, 0.015f, 0.05f, kInk);
  f.Ellipse(0.59f, 0.3f, 0.015f, 0.05f, kInk);
  f.Poly({{0.47f, 0.38f}, {0.53f, 0.38f}, {0.5f, 0.42f}}, Rgb{230, 110, 130});
  for (float dv : {-0.02f, 0.02f}) {
    f.Stroke({{0.44f, 0.42f + dv}, {0.22f, 0.39f + 2 * dv}}, 0.008f, kInk, 0.6f);
    f.Stroke({{0.56f, 0.42f + dv}, {0.78f, 0.39f + 2 * dv}}, 0.008f, kInk, 0.6f);
  }
}

void DrawDog(const Frame& f, Rgb c) {
  const Rgb dark = Shade(c, 0.7f);
  f.Stroke({{0.2f, 0.45f}, {0.08f, 0.3f}}, 0.07f, c);
  for (float u : {0.26f, 0.36f, 0.58f, 0.68f})
    f.Rect(u - 0.04f, 0.55f, u + 0.04f, 0.98f, dark, 0.03f);
  f.Ellipse(0.46f, 0.55f, 0.3f, 0.2f, f.VGrad(0.35f, c, 0.75f, dark));
  f.Ellipse(0.76f, 0.32f, 0.17f, 0.22f, c);
  f.Ellipse(0.9f, 0.42f, 0.1f, 0.09f, Shade(c, 1.15f));
  f.Circle(0.98f, 0.38f, 0.045f, kInk);
  f.Ellipse(0.66f, 0.34f, 0.06f, 0.18f, dark, 0.25f);
  Eye(f, 0.8f, 0.26f, 0.045f);
  f.Stroke({{0.86f, 0.5f}, {0.94f, 0.5f}}, 0.015f, kInk);
}

void DrawFish(const Frame& f, Rgb c, bool salmon) {
  const Rgb belly = salmon ? Rgb{235, 225, 220} : Shade(c, 1.3f);
  f.Poly({{0.2f, 0.5f}, {0.0f, 0.15f}, {0.06f, 0.5f}, {0.0f, 0.85f}}, Shade(c, 0.8f));
  Path body;
  body.MoveTo(f.P(0.14f, 0.5f))
      .CubicTo(f.P(0.35f, 0.05f), f.P(0.8f, 0.0f), f.P(1.0f, 0.48f))
      .CubicTo(f.P(0.8f, 0.98f), f.P(0.35f, 0.95f), f.P(0.14f, 0.5f))
      .Close();
  f.canvas().Fill(body, f.VGrad(0.1f, Shade(c, salmon ? 0.75f : 1.0f), 0.95f, belly));
  f.Poly({{0.45f, 0.16f}, {0.62f, 0.0f}, {0.7f, 0.14f}}, Shade(c, 0.8f));
  if (salmon) {
    for (float u : {0.4f, 0.5f, 0.6f, 0.7f}) f.Circle(u, 0.3f, 0.025f, Shade(c, 0.55f));
    f.Stroke({{0.25f, 0.5f}, {0.85f, 0.5f}}, 0.03f, Rgb{250, 170, 150}, 0.7f);
  } else {
    for (float u : {0.45f, 0.62f}) f.Stroke({{u, 0.15f}, {u - 0.04f, 0.85f}}, 0.06f, kWhite, 0.8f);
  }
  Eye(f, 0.84f, 0.4f, 0.08f);
}

void DrawBird(const Frame& f, Rgb c) {
  Path p;
  p.MoveTo(f.P(0.0f, 0.2f))
      .QuadTo(f.P(0.28f, 0.0f), f.P(0.5f, 0.7f))
      .QuadTo(f.P(0.72f, 0.0f), f.P(1.0f, 0.2f))
      .QuadTo(f.P(0.72f, 0.25f), f.P(0.5f, 1.0f))
      .QuadTo(f.P(0.28f, 0.25f), f.P(0.0f, 0.2f))
      .Close();
  f.canvas().Fill(p, Paint::Solid(c));
}

void DrawPerson(const Frame& f, Rgb c, bool egyptian, float variation) {
  const Rgb skin = egyptian ? Rgb{190, 130, 85} : Rgb{240, 195, 160};
  const Rgb cloth = egyptian ? Rgb{245, 240, 225} : c;
  const float raise = variation > 0.5f ? 0.0f : 0.15f;
  f.Stroke({{0.42f, 0.7f}, {0.38f, 0.97f}}, 0.07f, egyptian ? skin : Shade(c, 0.5f));
  f.Stroke({{0.58f, 0.7f}, {0.62f, 0.97f}}, 0.07f, egyptian ? skin : Shade(c, 0.5f));
  f.Stroke({{0.36f, 0.36f}, {0.14f, 0.2f + raise}, {0.1f, 0.02f + raise}}, 0.06f, skin);
  f.Stroke({{0.64f, 0.36f}, {0.86f, 0.2f + raise * 0.5f}, {0.9f, 0.05f + raise * 0.5f}}, 0.06f,
           skin);
  f.Poly({{0.34f, 0.32f}, {0.66f, 0.32f}, {0.78f, 0.78f}, {0.22f, 0.78f}},
         f.VGrad(0.3f, cloth, 0.8f, Shade(cloth, 0.82f)));
  f.Rect(0.32f, 0.29f, 0.68f, 0.4f, cloth, 0.05f);
  if (egyptian) {
    f.Rect(0.3f, 0.3f, 0.7f, 0.36f, Rgb{40, 110, 180}, 0.02f);
    f.Rect(0.3f, 0.54f, 0.7f, 0.58f, Rgb{225, 180, 50});
    f.Poly({{0.3f, 0.2f},
            {0.36f, 0.06f},
            {0.64f, 0.06f},
            {0.7f, 0.2f},
            {0.66f, 0.34f},
            {0.34f, 0.34f}},
           Rgb{35, 45, 110});
    for (float v : {0.12f, 0.2f, 0.28f}) f.Stroke({{0.32f, v}, {0.68f, v}}, 0.015f, {225, 180, 50});
  }
  f.Circle(0.5f, 0.16f, 0.12f, skin);
  if (!egyptian) f.Ellipse(0.5f, 0.08f, 0.25f, 0.06f, Shade(c, 0.45f));
  f.Circle(0.46f, 0.15f, 0.015f, kInk);
  f.Circle(0.56f, 0.15f, 0.015f, kInk);
  f.Stroke({{0.47f, 0.21f}, {0.51f, 0.22f}, {0.55f, 0.2f}}, 0.012f, kInk);
}

void DrawHorse(const Frame& f, Rgb c) {
  const Rgb dark = Shade(c, 0.6f);
  f.Stroke({{0.14f, 0.42f}, {0.04f, 0.58f}, {0.06f, 0.72f}}, 0.06f, dark);
  for (float u : {0.22f, 0.32f, 0.62f, 0.72f}) f.Stroke({{u, 0.5f}, {u, 0.96f}}, 0.06f, dark);
  f.Ellipse(0.46f, 0.5f, 0.33f, 0.17f, f.VGrad(0.33f, c, 0.67f, Shade(c, 0.8f)));
  f.Poly({{0.66f, 0.42f}, {0.72f, 0.1f}, {0.84f, 0.1f}, {0.82f, 0.5f}}, c);
  f.Ellipse(0.86f, 0.18f, 0.13f, 0.08f, c, 0.5f);
  f.Stroke({{0.7f, 0.12f}, {0.66f, 0.26f}, {0.64f, 0.42f}}, 0.05f, dark);
  f.Poly({{0.74f, 0.07f}, {0.76f, 0.0f}, {0.8f, 0.08f}}, c);
  f.Circle(0.82f, 0.14f, 0.02f, kInk);
}

void DrawWhale(const Frame& f, Rgb c) {
  f.Stroke({{0.72f, 0.22f}, {0.72f, 0.05f}}, 0.03f, {200, 230, 255}, 0.8f);
  f.Stroke({{0.72f, 0.08f}, {0.66f, 0.0f}}, 0.025f, {200, 230, 255}, 0.8f);
  f.Stroke({{0.72f, 0.08f}, {0.78f, 0.0f}}, 0.025f, {200, 230, 255}, 0.8f);
  f.Poly({{0.14f, 0.55f}, {0.0f, 0.25f}, {0.08f, 0.42f}, {0.16f, 0.28f}}, c);
  Path body;
  body.MoveTo(f.P(0.1f, 0.5f))
      .CubicTo(f.P(0.3f, 0.2f), f.P(0.9f, 0.1f), f.P(1.0f, 0.6f))
      .CubicTo(f.P(0.95f, 0.95f), f.P(0.4f, 0.95f), f.P(0.1f, 0.5f))
      .Close();
  f.canvas().Fill(body, f.VGrad(0.2f, c, 0.95f, Shade(c, 0.7f)));
  f.Ellipse(0.66f, 0.78f, 0.28f, 0.12f, Shade(c, 1.4f));
  f.Circle(0.82f, 0.52f, 0.035f, kInk);
  f.Stroke({{0.78f, 0.7f}, {0.9f, 0.68f}, {0.98f, 0.62f}}, 0.015f, Shade(c, 0.5f));
}

void DrawDragon(const Frame& f, Rgb c) {
  const Rgb dark = Shade(c, 0.65f), belly{240, 210, 120};
  f.Poly({{0.4f, 0.45f}, {0.28f, 0.0f}, {0.52f, 0.12f}, {0.62f, 0.42f}}, Shade(c, 0.8f));
  f.Stroke({{0.2f, 0.6f}, {0.08f, 0.7f}, {0.02f, 0.55f}}, 0.07f, c);
  f.Poly({{0.0f, 0.5f}, {0.04f, 0.6f}, {-0.02f, 0.62f}}, dark);
  f.Ellipse(0.42f, 0.6f, 0.24f, 0.16f, f.VGrad(0.44f, c, 0.76f, dark));
  f.Ellipse(0.44f, 0.68f, 0.16f, 0.06f, belly);
  f.Stroke({{0.6f, 0.55f}, {0.72f, 0.38f}, {0.78f, 0.28f}}, 0.1f, c);
  f.Ellipse(0.84f, 0.26f, 0.1f, 0.09f, c);
  f.Ellipse(0.92f, 0.3f, 0.07f, 0.05f, c);
  f.Poly({{0.8f, 0.18f}, {0.76f, 0.06f}, {0.86f, 0.16f}}, dark);
  f.Circle(0.86f, 0.23f, 0.025f, Rgb{250, 220, 60});
  f.Poly({{0.48f, 0.42f}, {0.38f, 0.0f}, {0.72f, 0.18f}, {0.6f, 0.44f}}, c);
  for (float u : {0.32f, 0.5f}) f.Stroke({{u, 0.72f}, {u, 0.9f}}, 0.05f, dark);
  f.Poly({{0.98f, 0.3f}, {1.0f, 0.24f}, {1.0f, 0.36f}}, Rgb{255, 140, 40});
}

void DrawButterfly(const Frame& f, Rgb c) {
  f.Ellipse(0.3f, 0.32f, 0.22f, 0.3f, c, -0.4f);
  f.Ellipse(0.7f, 0.32f, 0.22f, 0.3f, c, 0.4f);
  f.Ellipse(0.34f, 0.72f, 0.14f, 0.22f, Shade(c, 0.8f), 0.4f);
  f.Ellipse(0.66f, 0.72f, 0.14f, 0.22f, Shade(c, 0.8f), -0.4f);
  f.Circle(0.28f, 0.3f, 0.07f, Shade(c, 1.5f));
  f.Circle(0.72f, 0.3f, 0.07f, Shade(c, 1.5f));
  f.Ellipse(0.5f, 0.5f, 0.04f, 0.4f, kInk);
  f.Stroke({{0.49f, 0.12f}, {0.42f, 0.0f}}, 0.02f, kInk);
  f.Stroke({{0.51f, 0.12f}, {0.58f, 0.0f}}, 0.02f, kInk);
}

}  // namespace

void DrawAnimal(const Frame& f, Motif motif, const MotifStyle& style) {
  const Rgb c = style.colour;
  switch (motif) {
    case Motif::kCat:
      return DrawCat(f, c);
    case Motif::kDog:
      return DrawDog(f, c);
    case Motif::kSalmon:
      return DrawFish(f, c, true);
    case Motif::kFish:
      return DrawFish(f, c, false);
    case Motif::kBird:
      return DrawBird(f, c);
    case Motif::kPerson:
      return DrawPerson(f, c, style.egyptian, style.variation);
    case Motif::kHorse:
      return DrawHorse(f, c);
    case Motif::kWhale:
      return DrawWhale(f, c);
    case Motif::kDragon:
      return DrawDragon(f, c);
    case Motif::kButterfly:
      return DrawButterfly(f, c);
    default:
      return;
  }
}

}  // namespace pictor::image
