// Canvas: exact-area coverage rasterisation (the signed-area accumulation method used by
// font-rs and stb_truetype), then source-over blending of the covered span.
#include "image/canvas.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>

namespace pictor::image {
namespace {

uint8_t ToByte(float v) { return static_cast<uint8_t>(std::clamp(v, 0.0f, 255.0f) + 0.5f); }

// Adds the signed area of the edge p0 -> p1 (already inside x in [0, width]) to the row-major
// accumulation buffer `acc` of `stride` floats per row and `rows` rows.
void AccumulateEdge(Point p0, Point p1, float* acc, int stride, int rows) {
  if (p0.y == p1.y) return;
  float dir = 1;
  if (p0.y > p1.y) {
    std::swap(p0, p1);
    dir = -1;
  }
  const float dxdy = (p1.x - p0.x) / (p1.y - p0.y);
  const auto xmax = static_cast<float>(stride - 2);
  float x = p0.x;
  if (p0.y < 0) x -= p0.y * dxdy;
  x = std::clamp(x, 0.0f, xmax);
  const int ystart = std::max(0, static_cast<int>(std::floor(p0.y)));
  const int yend = std::min(rows, static_cast<int>(std::ceil(p1.y)));
  for (int y = ystart; y < yend; ++y) {
    float* line = acc + static_cast<ptrdiff_t>(y) * stride;
    const float dy =
        std::min(static_cast<float>(y + 1), p1.y) - std::max(static_cast<float>(y), p0.y);
    const float xnext = std::clamp(x + dxdy * dy, 0.0f, xmax);
    const float d = dy * dir;
    const float x0 = std::min(x, xnext), x1 = std::max(x, xnext);
    const float x0floor = std::floor(x0);
    const int x0i = static_cast<int>(x0floor);
    const float x1ceil = std::ceil(x1);
    const int x1i = static_cast<int>(x1ceil);
    if (x1i <= x0i + 1) {
      const float xmf = 0.5f * (x + xnext) - x0floor;
      line[x0i] += d - d * xmf;
      line[x0i + 1] += d * xmf;
    } else {
      const float s = 1.0f / (x1 - x0);
      const float x0f = x0 - x0floor;
      const float a0 = 0.5f * s * (1 - x0f) * (1 - x0f);
      const float x1f = x1 - x1ceil + 1;
      const float am = 0.5f * s * x1f * x1f;
      line[x0i] += d * a0;
      if (x1i == x0i + 2) {
        line[x0i + 1] += d * (1 - a0 - am);
      } else {
        const float a1 = s * (1.5f - x0f);
        line[x0i + 1] += d * (a1 - a0);
        for (int xi = x0i + 2; xi < x1i - 1; ++xi) line[xi] += d * s;
        const float a2 = a1 + static_cast<float>(x1i - x0i - 3) * s;
        line[x1i - 1] += d * (1 - a2 - am);
      }
      line[x1i] += d * am;
    }
    x = xnext;
  }
}

// Splits an edge at x = 0 and x = width and clamps the outer pieces onto those lines, which
// keeps the coverage of every pixel inside the span exact.
void AccumulateClipped(Point a, Point b, float width, float* acc, int stride, int rows) {
  int n = 0;
  float ts[2];
  if ((a.x < 0) != (b.x < 0)) ts[n++] = (0 - a.x) / (b.x - a.x);
  if ((a.x > width) != (b.x > width)) ts[n++] = (width - a.x) / (b.x - a.x);
  if (n == 2 && ts[0] > ts[1]) std::swap(ts[0], ts[1]);
  Point prev = a;
  for (int i = 0; i <= n; ++i) {
    Point next = b;
    if (i < n) next = {a.x + (b.x - a.x) * ts[i], a.y + (b.y - a.y) * ts[i]};
    Point p = prev, q = next;
    p.x = std::clamp(p.x, 0.0f, width);
    q.x = std::clamp(q.x, 0.0f, width);
    AccumulateEdge(p, q, acc, stride, rows);
    prev = next;
  }
}

}  // namespace

Rgb Mix(Rgb a, Rgb b, float t) {
  t = std::clamp(t, 0.0f, 1.0f);
  return {ToByte(a.r + (b.r - a.r) * t), ToByte(a.g + (b.g - a.g) * t),
          ToByte(a.b + (b.b - a.b) * t)};
}

Rgb Shade(Rgb c, float f) {
  if (f <= 1) return {ToByte(c.r * f), ToByte(c.g * f), ToByte(c.b * f)};
  const float t = std::min(f - 1, 1.0f);
  return Mix(c, {255, 255, 255}, t);
}

Canvas::Canvas(int width, int height, Rgb background)
    : width_(std::max(width, 0)), height_(std::max(height, 0)) {
  pixels_.resize(static_cast<size_t>(width_) * static_cast<size_t>(height_) * 3);
  if (background == Rgb{}) return;  // already zeroed
  for (size_t i = 0; i < pixels_.size(); i += 3) {
    pixels_[i] = background.r;
    pixels_[i + 1] = background.g;
    pixels_[i + 2] = background.b;
  }
}

Rgb Canvas::At(int x, int y) const {
  if (x < 0 || y < 0 || x >= width_ || y >= height_) return {};
  const uint8_t* p = &pixels_[(static_cast<size_t>(y) * static_cast<size_t>(width_) + x) * 3];
  return {p[0], p[1], p[2]};
}

void Canvas::FillVerticalGradient(int y0, int y1, Rgb top, Rgb bottom) {
  y0 = std::max(y0, 0);
  y1 = std::min(y1, height_);
  const float span = static_cast<float>(std::max(y1 - y0 - 1, 1));
  for (int y = y0; y < y1; ++y) {
    const Rgb c = Mix(top, bottom, static_cast<float>(y - y0) / span);
    uint8_t* p = &pixels_[static_cast<size_t>(y) * static_cast<size_t>(width_) * 3];
    for (int x = 0; x < width_; ++x, p += 3) {
      p[0] = c.r;
      p[1] = c.g;
      p[2] = c.b;
    }
  }
}

void Canvas::Fill(const Path& path, const Paint& paint) {
  float minx = 1e30f, miny = 1e30f, maxx = -1e30f, maxy = -1e30f;
  for (const auto& contour : path.contours()) {
    for (const Point& p : contour) {
      if (!std::isfinite(p.x) || !std::isfinite(p.y)) return;
      minx = std::min(minx, p.x);
      maxx = std::max(maxx, p.x);
      miny = std::min(miny, p.y);
      maxy = std::max(maxy, p.y);
    }
  }
  const int x0 = std::max(0, static_cast<int>(std::floor(std::max(minx, -1.0f))));
  const int x1 = std::min(width_, static_cast<int>(std::ceil(std::min(maxx, 1e6f))));
  const int y0 = std::max(0, static_cast<int>(std::floor(std::max(miny, -1.0f))));
  const int y1 = std::min(height_, static_cast<int>(std::ceil(std::min(maxy, 1e6f))));
  if (x0 >= x1 || y0 >= y1 || paint.opacity <= 0) return;

  const int bw = x1 - x0, bh = y1 - y0, stride = bw + 2;
  // The buffer is all zeros between calls (each row is cleared as it is consumed), so only
  // growth needs initialising.
  const size_t cells = static_cast<size_t>(stride) * static_cast<size_t>(bh);
  if (accumulation_.size() < cells) accumulation_.resize(cells, 0.0f);
  if (coverage_.size() < static_cast<size_t>(bw)) coverage_.resize(static_cast<size_t>(bw));
  const auto ox = static_cast<float>(x0), oy = static_cast<float>(y0);
  for (const auto& contour : path.contours()) {
    if (contour.size() < 2) continue;
    for (size_t i = 0, j = contour.size() - 1; i < contour.size(); j = i++) {
      AccumulateClipped({contour[j].x - ox, contour[j].y - oy},
                        {contour[i].x - ox, contour[i].y - oy}, static_cast<float>(bw),
                        accumulation_.data(), stride, bh);
    }
  }
  for (int y = 0; y < bh; ++y) {
    float* row = &accumulation_[static_cast<size_t>(y) * static_cast<size_t>(stride)];
    BlendRow(y0 + y, x0, row, bw, paint);
    row[bw] = row[bw + 1] = 0;
  }
}

// Cells no edge touched leave the running sum, and so the coverage, unchanged: such runs are
// blended with one constant coverage (skipped when empty), touched runs pixel by pixel. Clears
// the cells it reads.
void Canvas::BlendRow(int y, int x0, float* cells, int count, const Paint& paint) {
  float acc = 0;
  int x = 0;
  while (x < count) {
    int end = x;
    while (end < count && cells[end] == 0) ++end;
    if (end > x) {
      const float a = std::min(std::abs(acc), 1.0f) * paint.opacity;
      if (a >= 1.0f / 512) BlendSpan<true>(y, x0 + x, &a, end - x, paint);
      x = end;
      continue;
    }
    float* coverage = coverage_.data();
    for (; end < count && cells[end] != 0; ++end) {
      acc += cells[end];
      cells[end] = 0;
      coverage[end - x] = std::min(std::abs(acc), 1.0f) * paint.opacity;
    }
    BlendSpan<false>(y, x0 + x, coverage, end - x, paint);
    x = end;
  }
}

namespace {

// A two-stop gradient's colour at t: Mix()'s arithmetic (so the same bytes), inlined, with
// the per-channel differences computed once.
class Ramp {
 public:
  Ramp(Rgb from, Rgb to)
      : r0_(from.r),
        g0_(from.g),
        b0_(from.b),
        dr_(to.r - from.r),
        dg_(to.g - from.g),
        db_(to.b - from.b) {}
  Rgb At(float t) const {
    t = std::clamp(t, 0.0f, 1.0f);
    return {ToByte(r0_ + dr_ * t), ToByte(g0_ + dg_ * t), ToByte(b0_ + db_ * t)};
  }

 private:
  float r0_, g0_, b0_, dr_, dg_, db_;
};

// Sets `count` pixels to c.
void FillPixels(uint8_t* p, Rgb c, int count) {
  const uint8_t pattern[12] = {c.r, c.g, c.b, c.r, c.g, c.b, c.r, c.g, c.b, c.r, c.g, c.b};
  int i = 0;
  for (; i + 4 <= count; i += 4, p += 12) std::memcpy(p, pattern, 12);
  for (; i < count; ++i, p += 3) std::memcpy(p, pattern, 3);
}

inline void Put(uint8_t* p, Rgb c, float a) {
  if (a >= 0.998f) {
    p[0] = c.r;
    p[1] = c.g;
    p[2] = c.b;
  } else {
    const int ai = static_cast<int>(a * 256 + 0.5f);
    p[0] = static_cast<uint8_t>(p[0] + (((c.r - p[0]) * ai + 128) >> 8));
    p[1] = static_cast<uint8_t>(p[1] + (((c.g - p[1]) * ai + 128) >> 8));
    p[2] = static_cast<uint8_t>(p[2] + (((c.b - p[2]) * ai + 128) >> 8));
  }
}

}  // namespace

template <bool kConstant>
void Canvas::BlendSpan(int y, int x0, const float* alpha, int count, const Paint& paint) {
  uint8_t* p = &pixels_[(static_cast<size_t>(y) * static_cast<size_t>(width_) + x0) * 3];
  const float fy = static_cast<float>(y) + 0.5f;
  const float gx = paint.end.x - paint.start.x, gy = paint.end.y - paint.start.y;
  const float dy = fy - paint.start.y;
  const bool row_constant =
      paint.kind == Paint::Kind::kSolid || (paint.kind == Paint::Kind::kLinear && gx == 0);
  if (row_constant) {
    Rgb c = paint.from;
    if (paint.kind == Paint::Kind::kLinear) {
      const float inv_len2 = 1.0f / std::max(gx * gx + gy * gy, 1e-6f);
      c = Ramp(paint.from, paint.to).At((dy * gy) * inv_len2);
    }
    if (kConstant && alpha[0] >= 0.998f) {
      FillPixels(p, c, count);
      return;
    }
    for (int i = 0; i < count; ++i, p += 3) {
      const float a = kConstant ? alpha[0] : alpha[i];
      if (a >= 1.0f / 512) Put(p, c, a);
    }
    return;
  }
  const Ramp ramp(paint.from, paint.to);
  if (paint.kind == Paint::Kind::kLinear) {
    // The parameter grows by a constant step along the row.
    const float inv_len2 = 1.0f / std::max(gx * gx + gy * gy, 1e-6f);
    const float t_step = gx * inv_len2;
    float t = ((static_cast<float>(x0) + 0.5f - paint.start.x) * gx + dy * gy) * inv_len2;
    for (int i = 0; i < count; ++i, p += 3, t += t_step) {
      const float a = kConstant ? alpha[0] : alpha[i];
      if (a >= 1.0f / 512) Put(p, ramp.At(t), a);
    }
    return;
  }
  const float inv_radius = 1.0f / std::max(paint.radius, 1e-6f);
  for (int i = 0; i < count; ++i, p += 3) {
    const float a = kConstant ? alpha[0] : alpha[i];
    if (a < 1.0f / 512) continue;
    const float dx = static_cast<float>(x0 + i) + 0.5f - paint.start.x;
    Put(p, ramp.At(std::sqrt(dx * dx + dy * dy) * inv_radius), a);
  }
}

}  // namespace pictor::image
