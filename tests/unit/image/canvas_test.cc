#include "image/canvas.h"

#include <gtest/gtest.h>

namespace pictor::image {
namespace {

int CountNear(const Canvas& c, Rgb want, int tolerance) {
  int n = 0;
  for (int y = 0; y < c.height(); ++y) {
    for (int x = 0; x < c.width(); ++x) {
      const Rgb p = c.At(x, y);
      if (std::abs(p.r - want.r) <= tolerance && std::abs(p.g - want.g) <= tolerance &&
          std::abs(p.b - want.b) <= tolerance) {
        ++n;
      }
    }
  }
  return n;
}

TEST(Canvas, FillsAnAxisAlignedRectExactly) {
  Canvas c(20, 20, {0, 0, 0});
  c.Fill(Path().AddRect(5, 5, 10, 4), Paint::Solid({255, 0, 0}));
  EXPECT_EQ(CountNear(c, {255, 0, 0}, 0), 40);
  EXPECT_EQ(c.At(4, 5), (Rgb{0, 0, 0}));
  EXPECT_EQ(c.At(5, 5), (Rgb{255, 0, 0}));
}

TEST(Canvas, HalfCoveredPixelsBlendHalfway) {
  Canvas c(10, 10, {0, 0, 0});
  c.Fill(Path().AddRect(2.5f, 2, 5, 5), Paint::Solid({200, 200, 200}));
  EXPECT_EQ(c.At(2, 3), (Rgb{100, 100, 100}));
  EXPECT_EQ(c.At(3, 3), (Rgb{200, 200, 200}));
}

TEST(Canvas, CircleAreaMatchesPiRSquared) {
  Canvas c(100, 100, {0, 0, 0});
  c.Fill(Path().AddCircle({50, 50}, 30), Paint::Solid({255, 255, 255}));
  double sum = 0;
  for (int y = 0; y < 100; ++y)
    for (int x = 0; x < 100; ++x) sum += c.At(x, y).r / 255.0;
  EXPECT_NEAR(sum, 3.14159 * 900, 15);
}

TEST(Canvas, ShapesPartlyOutsideAreClipped) {
  Canvas c(10, 10, {0, 0, 0});
  c.Fill(Path().AddCircle({0, 0}, 40), Paint::Solid({9, 9, 9}));
  c.Fill(Path().AddRect(-100, 5, 1000, 100), Paint::Solid({1, 1, 1}));
  EXPECT_EQ(CountNear(c, {9, 9, 9}, 0), 50);
  EXPECT_EQ(CountNear(c, {1, 1, 1}, 0), 50);
}

TEST(Canvas, OverlappingContoursFormAUnion) {
  Canvas c(30, 10, {0, 0, 0});
  c.Fill(Path().AddRect(0, 0, 20, 10).AddRect(10, 0, 20, 10), Paint::Solid({255, 255, 255}, 0.5f));
  EXPECT_EQ(CountNear(c, {128, 128, 128}, 1), 300);
}

TEST(Canvas, LinearGradientRunsFromStartToEnd) {
  Canvas c(100, 1, {0, 0, 0});
  c.Fill(Path().AddRect(0, 0, 100, 1), Paint::Linear({0, 0}, {0, 0, 0}, {100, 0}, {200, 0, 0}));
  EXPECT_LT(c.At(0, 0).r, 5);
  EXPECT_NEAR(c.At(50, 0).r, 100, 3);
  EXPECT_GT(c.At(99, 0).r, 195);
}

TEST(Canvas, VerticalGradientHitsBothEnds) {
  Canvas c(4, 11);
  c.FillVerticalGradient(0, 11, {0, 0, 0}, {100, 200, 250});
  EXPECT_EQ(c.At(0, 0), (Rgb{0, 0, 0}));
  EXPECT_EQ(c.At(3, 10), (Rgb{100, 200, 250}));
  EXPECT_EQ(c.At(2, 5), (Rgb{50, 100, 125}));
}

TEST(Canvas, NonFiniteCoordinatesDrawNothing) {
  Canvas c(10, 10, {0, 0, 0});
  c.Fill(Path().AddCircle({5, 5}, std::numeric_limits<float>::infinity()),
         Paint::Solid({255, 0, 0}));
  c.Fill(Path().AddPolygon({{0, 0}, {std::numeric_limits<float>::quiet_NaN(), 3}, {5, 9}}),
         Paint::Solid({255, 0, 0}));
  EXPECT_EQ(CountNear(c, {0, 0, 0}, 0), 100);
}

}  // namespace
}  // namespace pictor::image
