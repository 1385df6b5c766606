// Path construction: contours, curve flattening and the stock shapes.
#include <algorithm>
#include <cmath>
#include <numbers>

#include "image/canvas.h"

namespace pictor::image {
namespace {

float Distance(Point a, Point b) { return std::hypot(b.x - a.x, b.y - a.y); }

int CurveSteps(float length) { return std::clamp(static_cast<int>(length / 4.0f), 2, 64); }

float SignedArea(const std::vector<Point>& c) {
  float area = 0;
  for (size_t i = 0, j = c.size() - 1; i < c.size(); j = i++) {
    area += (c[j].x * c[i].y) - (c[i].x * c[j].y);
  }
  return area;
}

}  // namespace

Path& Path::MoveTo(Point p) {
  contours_.push_back({p});
  open_ = true;
  return *this;
}

Path& Path::LineTo(Point p) {
  if (!open_) return MoveTo(p);
  contours_.back().push_back(p);
  return *this;
}

Path& Path::QuadTo(Point control, Point p) {
  if (!open_) return MoveTo(p);
  const Point a = contours_.back().back();
  const int n = CurveSteps(Distance(a, control) + Distance(control, p));
  for (int i = 1; i <= n; ++i) {
    const float t = static_cast<float>(i) / static_cast<float>(n), u = 1 - t;
    contours_.back().push_back({u * u * a.x + 2 * u * t * control.x + t * t * p.x,
                                u * u * a.y + 2 * u * t * control.y + t * t * p.y});
  }
  return *this;
}

Path& Path::CubicTo(Point c1, Point c2, Point p) {
  if (!open_) return MoveTo(p);
  const Point a = contours_.back().back();
  const int n = CurveSteps(Distance(a, c1) + Distance(c1, c2) + Distance(c2, p));
  for (int i = 1; i <= n; ++i) {
    const float t = static_cast<float>(i) / static_cast<float>(n), u = 1 - t;
    const float w0 = u * u * u, w1 = 3 * u * u * t, w2 = 3 * u * t * t, w3 = t * t * t;
    contours_.back().push_back(
        {w0 * a.x + w1 * c1.x + w2 * c2.x + w3 * p.x, w0 * a.y + w1 * c1.y + w2 * c2.y + w3 * p.y});
  }
  return *this;
}

Path& Path::Close() {
  open_ = false;
  return *this;
}

void Path::AddOriented(std::vector<Point> contour) {
  open_ = false;
  if (contour.size() < 3) return;
  if (SignedArea(contour) < 0) std::reverse(contour.begin(), contour.end());
  contours_.push_back(std::move(contour));
}

Path& Path::AddPolygon(const std::vector<Point>& points) {
  AddOriented(points);
  return *this;
}

Path& Path::AddEllipse(Point centre, float rx, float ry, float rotation) {
  rx = std::abs(rx);
  ry = std::abs(ry);
  const int n = std::clamp(static_cast<int>(std::max(rx, ry) * 1.2f), 12, 256);
  const float cr = std::cos(rotation), sr = std::sin(rotation);
  std::vector<Point> c;
  c.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    const float a = 2 * std::numbers::pi_v<float> * static_cast<float>(i) / static_cast<float>(n);
    const float x = rx * std::cos(a), y = ry * std::sin(a);
    c.push_back({centre.x + x * cr - y * sr, centre.y + x * sr + y * cr});
  }
  AddOriented(std::move(c));
  return *this;
}

Path& Path::AddRect(float x, float y, float w, float h) {
  AddOriented({{x, y}, {x + w, y}, {x + w, y + h}, {x, y + h}});
  return *this;
}

Path& Path::AddRoundRect(float x, float y, float w, float h, float radius) {
  radius = std::clamp(radius, 0.0f, std::min(w, h) / 2);
  if (radius < 0.5f) return AddRect(x, y, w, h);
  const int n = std::clamp(static_cast<int>(radius / 2), 3, 24);
  std::vector<Point> c;
  const Point centres[4] = {{x + w - radius, y + radius},
                            {x + w - radius, y + h - radius},
                            {x + radius, y + h - radius},
                            {x + radius, y + radius}};
  for (int k = 0; k < 4; ++k) {
    for (int i = 0; i <= n; ++i) {
      const float a = std::numbers::pi_v<float> / 2 *
                      (static_cast<float>(k - 1) + static_cast<float>(i) / static_cast<float>(n));
      c.push_back({centres[k].x + radius * std::cos(a), centres[k].y + radius * std::sin(a)});
    }
  }
  AddOriented(std::move(c));
  return *this;
}

Path& Path::AddLine(Point a, Point b, float width) { return AddStroke({a, b}, width); }

Path& Path::AddStroke(const std::vector<Point>& points, float width) {
  const float h = width / 2;
  for (size_t i = 0; i + 1 < points.size(); ++i) {
    const Point a = points[i], b = points[i + 1];
    const float len = Distance(a, b);
    if (len < 1e-6f) continue;
    const float nx = -(b.y - a.y) / len * h, ny = (b.x - a.x) / len * h;
    AddOriented(
        {{a.x + nx, a.y + ny}, {b.x + nx, b.y + ny}, {b.x - nx, b.y - ny}, {a.x - nx, a.y - ny}});
  }
  for (const Point& p : points) AddCircle(p, h);
  return *this;
}

}  // namespace pictor::image
