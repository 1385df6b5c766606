#include "image/scene.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "image/png_writer.h"

namespace pictor::image {
namespace {

struct Mean {
  double r = 0, g = 0, b = 0;
};

Mean BandMean(const Canvas& c, double from, double to) {
  Mean m;
  int n = 0;
  for (int y = static_cast<int>(c.height() * from); y < static_cast<int>(c.height() * to); ++y) {
    for (int x = 0; x < c.width(); ++x, ++n) {
      const Rgb p = c.At(x, y);
      m.r += p.r;
      m.g += p.g;
      m.b += p.b;
    }
  }
  m.r /= n;
  m.g /= n;
  m.b /= n;
  return m;
}

int CountNear(const Canvas& c, Rgb want, int tolerance) {
  int n = 0;
  for (int y = 0; y < c.height(); ++y) {
    for (int x = 0; x < c.width(); ++x) {
      const Rgb p = c.At(x, y);
      n += std::abs(p.r - want.r) <= tolerance && std::abs(p.g - want.g) <= tolerance &&
           std::abs(p.b - want.b) <= tolerance;
    }
  }
  return n;
}

bool SamePixels(const Canvas& a, const Canvas& b) {
  return a.width() == b.width() && a.height() == b.height() &&
         std::memcmp(a.pixels(), b.pixels(), static_cast<size_t>(a.width()) * a.height() * 3) == 0;
}

std::string Png(const Canvas& c) { return EncodePng(c.pixels(), c.width(), c.height(), 3); }

TEST(Scene, SameInputsGiveByteIdenticalPng) {
  const std::string prompt = "A magical salmon going to the moon in a rocket";
  EXPECT_EQ(Png(RenderScene(prompt, 7, 320, 240)), Png(RenderScene(prompt, 7, 320, 240)));
}

TEST(Scene, AnotherSeedGivesAnotherLayout) {
  const std::string prompt = "a red car";
  const Canvas a = RenderScene(prompt, 1, 256, 256), b = RenderScene(prompt, 2, 256, 256);
  EXPECT_NE(Png(a), Png(b));
  // The car's red pixels sit in different columns: compare their mean x.
  auto red_x = [](const Canvas& c) {
    double sum = 0;
    int n = 0;
    for (int y = 0; y < c.height(); ++y) {
      for (int x = 0; x < c.width(); ++x) {
        const Rgb p = c.At(x, y);
        if (p.r > 180 && p.g < 90 && p.b < 90) {
          sum += x;
          ++n;
        }
      }
    }
    return n ? sum / n : -1.0;
  };
  EXPECT_GT(std::abs(red_x(a) - red_x(b)), 2.0);
}

TEST(Scene, ColourWordShiftsTheMotifColour) {
  const Rgb red{214, 40, 40};
  const int plain = CountNear(RenderScene("a cat", 3, 256, 256), red, 30);
  const int tinted = CountNear(RenderScene("a red cat", 3, 256, 256), red, 30);
  EXPECT_GT(tinted, plain + 500);
  const Rgb blue{40, 90, 210};
  EXPECT_GT(CountNear(RenderScene("en blå katt", 3, 256, 256), blue, 30),
            CountNear(RenderScene("en katt", 3, 256, 256), blue, 30) + 500);
}

TEST(Scene, SpaceHasADarkSky) {
  const Mean top = BandMean(RenderScene("a cat in space", 5, 256, 256), 0.0, 0.2);
  EXPECT_LT(top.r + top.g + top.b, 120);
}

TEST(Scene, DesertHasSandyGround) {
  const Mean bottom = BandMean(RenderScene("a dog in the desert", 5, 256, 256), 0.92, 1.0);
  EXPECT_GT(bottom.r, 170);
  EXPECT_GT(bottom.r, bottom.g);
  EXPECT_GT(bottom.g, bottom.b + 30);
}

TEST(Scene, MoonWithoutSceneWordGivesANightSky) {
  const Mean top = BandMean(RenderScene("the moon", 5, 200, 200), 0.0, 0.2);
  EXPECT_LT(top.r + top.g + top.b, 200);
  const Mean day = BandMean(RenderScene("a house", 5, 200, 200), 0.0, 0.2);
  EXPECT_GT(day.b, 180);
}

TEST(Scene, MagicalSparklesStayInTheSky) {
  // Sparkles are {255, 245, 190}; nothing else in this scene is that colour below the horizon.
  for (uint32_t seed = 1; seed <= 6; ++seed) {
    const Canvas c = RenderScene("a magical moon", seed, 256, 256);
    int below = 0;
    for (int y = static_cast<int>(c.height() * 0.7); y < c.height(); ++y) {
      for (int x = 0; x < c.width(); ++x) {
        const Rgb p = c.At(x, y);
        below += p.r > 200 && p.g > 190 && p.b > 130;
      }
    }
    EXPECT_EQ(below, 0) << "seed " << seed;
  }
}

TEST(Scene, NorwegianAndEnglishPromptsShareABackdrop) {
  const Mean no = BandMean(RenderScene("en hest i skogen", 1, 128, 128), 0.0, 0.1);
  const Mean en = BandMean(RenderScene("a horse in the forest", 1, 128, 128), 0.0, 0.1);
  EXPECT_NEAR(no.b, en.b, 10);
}

class SceneSize : public testing::TestWithParam<std::pair<int, int>> {};

TEST_P(SceneSize, RendersTheRequestedSize) {
  const auto [w, h] = GetParam();
  const Canvas c = RenderScene("a cat, a dog and a tree by the sea", 11, w, h);
  EXPECT_EQ(c.width(), w);
  EXPECT_EQ(c.height(), h);
  EXPECT_FALSE(Png(c).empty());
}

INSTANTIATE_TEST_SUITE_P(Sizes, SceneSize,
                         testing::Values(std::pair{64, 64}, std::pair{2048, 2048},
                                         std::pair{777, 333}, std::pair{64, 2048}));

TEST(Scene, EveryMotifDrawsSomething) {
  for (int i = 0; i < kMotifCount; ++i) {
    const std::string name(MotifName(static_cast<Motif>(i)));
    const Canvas with = RenderScene("a " + name, 9, 160, 160);
    const Canvas without = RenderScene("a", 9, 160, 160);
    EXPECT_FALSE(SamePixels(with, without)) << name;
  }
}

TEST(Scene, RandomBytePromptsNeverCrash) {
  uint64_t state = 12345;
  for (int i = 0; i < 200; ++i) {
    std::string prompt;
    const int length = static_cast<int>(state % 64);
    for (int k = 0; k < length; ++k) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      prompt += static_cast<char>(state >> 56);
    }
    state = state * 6364136223846793005ull + 1;
    if (i % 3 == 0) prompt += "\xC3\xA6\xC3 katt \xFF\x00\x01 rakett\xE2\x82";
    const Canvas c = RenderScene(prompt, static_cast<uint32_t>(i), 64, 64);
    EXPECT_EQ(c.width(), 64);
  }
}

}  // namespace
}  // namespace pictor::image
