// Canvas: an RGB8 raster with anti-aliased vector drawing.
#ifndef PICTOR_IMAGE_CANVAS_H_
#define PICTOR_IMAGE_CANVAS_H_

#include <cstdint>
#include <vector>

namespace pictor::image {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
  friend bool operator==(const Rgb&, const Rgb&) = default;
};

// Linear interpolation between two colours, t in [0, 1].
Rgb Mix(Rgb a, Rgb b, float t);
// Scales each channel towards black (f < 1) or white (f > 1).
Rgb Shade(Rgb c, float f);

struct Point {
  float x = 0, y = 0;
};

// What a shape is filled with: a solid colour, or a two-stop linear or radial gradient, times
// an opacity.
struct Paint {
  enum class Kind { kSolid, kLinear, kRadial };
  Kind kind = Kind::kSolid;
  Rgb from;           // the colour, or the gradient's colour at `start`
  Rgb to;             // the gradient's colour at `end` (linear) or at `radius` (radial)
  Point start, end;   // linear: from start to end; radial: start is the centre
  float radius = 1;   // radial only
  float opacity = 1;  // 0..1

  static Paint Solid(Rgb c, float opacity = 1) { return {Kind::kSolid, c, c, {}, {}, 1, opacity}; }
  static Paint Linear(Point a, Rgb ca, Point b, Rgb cb, float opacity = 1) {
    return {Kind::kLinear, ca, cb, a, b, 1, opacity};
  }
  static Paint Radial(Point centre, float radius, Rgb inner, Rgb outer, float opacity = 1) {
    return {Kind::kRadial, inner, outer, centre, {}, radius, opacity};
  }
};

// A set of closed contours in pixel coordinates, filled with the non-zero rule (overlapping
// contours of the same orientation form a union). Curves are flattened when added.
class Path {
 public:
  Path& MoveTo(Point p);
  Path& LineTo(Point p);
  Path& QuadTo(Point control, Point p);
  Path& CubicTo(Point c1, Point c2, Point p);
  Path& Close();

  // Whole contours. Each is added counter-clockwise in y-down coordinates so unions work.
  Path& AddPolygon(const std::vector<Point>& points);
  Path& AddEllipse(Point centre, float rx, float ry, float rotation = 0);
  Path& AddCircle(Point centre, float r) { return AddEllipse(centre, r, r); }
  Path& AddRect(float x, float y, float w, float h);
  Path& AddRoundRect(float x, float y, float w, float h, float radius);
  // A thick line from a to b with round caps.
  Path& AddLine(Point a, Point b, float width);
  // A thick polyline with round joins and caps.
  Path& AddStroke(const std::vector<Point>& points, float width);

  const std::vector<std::vector<Point>>& contours() const { return contours_; }

 private:
  void AddOriented(std::vector<Point> contour);
  std::vector<std::vector<Point>> contours_;
  bool open_ = false;
};

// An owned width x height RGB8 image, rows top to bottom, drawn on with exact-area coverage
// anti-aliasing (a signed-area accumulation rasteriser), blended source-over.
//
// Thread-safety: not thread-safe; use one canvas per thread. Drawing outside the canvas is
// clipped. Sizes up to 2048 x 2048 are expected; non-positive sizes make an empty canvas.
class Canvas {
 public:
  Canvas(int width, int height, Rgb background = {});

  int width() const { return width_; }
  int height() const { return height_; }
  const uint8_t* pixels() const { return pixels_.data(); }
  Rgb At(int x, int y) const;

  // Fills rows [y0, y1) with a vertical gradient from `top` (at y0) to `bottom` (at y1 - 1).
  void FillVerticalGradient(int y0, int y1, Rgb top, Rgb bottom);
  void Fill(const Path& path, const Paint& paint);

 private:
  void BlendRow(int y, int x0, float* cells, int count, const Paint& paint);
  // Blends `count` pixels from (x0, y) with per-pixel alpha (coverage times opacity), or one
  // alpha for all when kConstant.
  template <bool kConstant>
  void BlendSpan(int y, int x0, const float* alpha, int count, const Paint& paint);

  int width_ = 0;
  int height_ = 0;
  std::vector<uint8_t> pixels_;
  std::vector<float> accumulation_;  // Fill's signed areas; all zeros between calls
  std::vector<float> coverage_;      // scratch for one row's alphas
};

}  // namespace pictor::image

#endif  // PICTOR_IMAGE_CANVAS_H_
