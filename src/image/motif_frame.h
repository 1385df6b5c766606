// Frame: draws in a motif's unit square (u across, v down, both 0..1), mapped onto its box.
// Private to the motif drawing files.
#ifndef PICTOR_IMAGE_MOTIF_FRAME_H_
#define PICTOR_IMAGE_MOTIF_FRAME_H_

#include <cmath>
#include <initializer_list>
#include <vector>

#include "image/canvas.h"
#include "image/motifs.h"

namespace pictor::image {

// Not thread-safe (it draws on one canvas); cheap to make, one per motif drawing.
class Frame {
 public:
  Frame(Canvas& canvas, const Box& box, bool flip)
      : canvas_(canvas),
        box_(box),
        flip_(flip),
        cos_(std::cos(box.tilt)),
        sin_(std::sin(box.tilt)) {}

  // The pixel position of unit point (u, v).
  Point P(float u, float v) const {
    if (flip_) u = 1 - u;
    const float dx = (u - 0.5f) * box_.w, dy = (v - 0.5f) * box_.h;
    return {box_.x + box_.w / 2 + dx * cos_ - dy * sin_,
            box_.y + box_.h / 2 + dx * sin_ + dy * cos_};
  }
  // A length given as a fraction of the box height, in pixels.
  float L(float d) const { return d * box_.h; }

  void Poly(std::initializer_list<Point> uv, Paint paint) const {
    std::vector<Point> pts;
    for (const Point& p : uv) pts.push_back(P(p.x, p.y));
    canvas_.Fill(Path().AddPolygon(pts), paint);
  }
  void Poly(std::initializer_list<Point> uv, Rgb c) const { Poly(uv, Paint::Solid(c)); }
  // An ellipse with radii ru (of the width) and rv (of the height), turned by `angle`.
  void Ellipse(float u, float v, float ru, float rv, Paint paint, float angle = 0) const {
    const float a = box_.tilt + (flip_ ? -angle : angle);
    canvas_.Fill(Path().AddEllipse(P(u, v), ru * box_.w, rv * box_.h, a), paint);
  }
  void Ellipse(float u, float v, float ru, float rv, Rgb c, float angle = 0) const {
    Ellipse(u, v, ru, rv, Paint::Solid(c), angle);
  }
  // A circle of radius r (of the height).
  void Circle(float u, float v, float r, Paint paint) const {
    canvas_.Fill(Path().AddCircle(P(u, v), L(r)), paint);
  }
  void Circle(float u, float v, float r, Rgb c) const { Circle(u, v, r, Paint::Solid(c)); }
  // A round-capped line of width w (of the height) through the given unit points.
  void Stroke(std::initializer_list<Point> uv, float w, Rgb c, float opacity = 1) const {
    std::vector<Point> pts;
    for (const Point& p : uv) pts.push_back(P(p.x, p.y));
    canvas_.Fill(Path().AddStroke(pts, L(w)), Paint::Solid(c, opacity));
  }
  // An axis-aligned (before tilt) rectangle with rounded corners of radius r (of the height).
  void Rect(float u0, float v0, float u1, float v1, Rgb c, float r = 0) const {
    RectPaint(u0, v0, u1, v1, Paint::Solid(c), r);
  }
  void RectPaint(float u0, float v0, float u1, float v1, Paint paint, float r = 0) const {
    if (box_.tilt == 0) {
      const Point a = P(u0, v0), b = P(u1, v1);
      canvas_.Fill(Path().AddRoundRect(std::min(a.x, b.x), std::min(a.y, b.y), std::abs(b.x - a.x),
                                       std::abs(b.y - a.y), L(r)),
                   paint);
    } else {
      Poly({{u0, v0}, {u1, v0}, {u1, v1}, {u0, v1}}, paint);
    }
  }
  // A vertical gradient paint over v0..v1 of the box.
  Paint VGrad(float v0, Rgb top, float v1, Rgb bottom) const {
    return Paint::Linear(P(0.5f, v0), top, P(0.5f, v1), bottom);
  }
  Canvas& canvas() const { return canvas_; }
  const Box& box() const { return box_; }

 private:
  Canvas& canvas_;
  Box box_;
  bool flip_;
  float cos_, sin_;
};

// Per-group drawing functions, dispatched by DrawMotif.
void DrawAnimal(const Frame& f, Motif motif, const MotifStyle& style);
void DrawPlant(const Frame& f, Motif motif, const MotifStyle& style);
void DrawSkyThing(const Frame& f, Motif motif, const MotifStyle& style);
void DrawBuilding(const Frame& f, Motif motif, const MotifStyle& style);
void DrawObject(const Frame& f, Motif motif, const MotifStyle& style);

}  // namespace pictor::image

#endif  // PICTOR_IMAGE_MOTIF_FRAME_H_
