#include "core/prices.h"

#include <gtest/gtest.h>

#include <limits>

namespace pictor {
namespace {

TEST(PricesTest, DefaultsPriceBedrockBySizeAndBuiltinAtZero) {
  const PriceTable t = PriceTable::Defaults();
  EXPECT_DOUBLE_EQ(t.PriceUsd("builtin", 2048, 2048), 0);
  EXPECT_DOUBLE_EQ(t.PriceUsd("titan", 512, 512), 0.008);
  EXPECT_DOUBLE_EQ(t.PriceUsd("titan-v2", 768, 768), 0.01);
  EXPECT_DOUBLE_EQ(t.PriceUsd("nova-canvas", 1024, 1024), 0.04);
  EXPECT_DOUBLE_EQ(t.PriceUsd("nova-canvas", 2048, 1024), 0.06);
  EXPECT_DOUBLE_EQ(t.PriceUsd("sd35-large", 1024, 1024), 0.08);
  EXPECT_DOUBLE_EQ(t.PriceUsd("stable-image-core", 1024, 1024), 0.04);
  EXPECT_DOUBLE_EQ(t.PriceUsd("stable-image-ultra", 1024, 1024), 0.14);
  EXPECT_DOUBLE_EQ(t.PriceUsd("openai", 1024, 1024), 0);
  EXPECT_DOUBLE_EQ(t.PriceUsd("unknown-model", 1024, 1024), 0);
}

TEST(PricesTest, AnOverrideIsOneFlatPriceWhateverTheSize) {
  PriceTable t = PriceTable::Defaults();
  ASSERT_TRUE(t.Override("builtin", 1).ok());
  ASSERT_TRUE(t.Override("nova-canvas", 0.05).ok());
  EXPECT_DOUBLE_EQ(t.PriceUsd("builtin", 64, 64), 1);
  EXPECT_DOUBLE_EQ(t.PriceUsd("nova-canvas", 512, 512), 0.05);
  EXPECT_DOUBLE_EQ(t.PriceUsd("nova-canvas", 2048, 2048), 0.05);
  ASSERT_TRUE(t.Override("my-server", 0.02).ok());
  EXPECT_DOUBLE_EQ(t.PriceUsd("my-server", 1, 1), 0.02);
}

TEST(PricesTest, OverridesRefuseBadNamesAndPrices) {
  PriceTable t;
  for (const char* bad : {"", "Titan", "bedrock:amazon.titan", "a b", "x_y"}) {
    EXPECT_TRUE(t.Override(bad, 1).IsInvalidArgument()) << bad;
  }
  for (double bad : {-0.01, 1000.5, std::numeric_limits<double>::quiet_NaN(),
                     std::numeric_limits<double>::infinity()}) {
    EXPECT_TRUE(t.Override("builtin", bad).IsInvalidArgument()) << bad;
  }
  EXPECT_TRUE(t.models().empty());
}

TEST(PricesTest, MicrosAddUpExactlyWhereDoublesDrift) {
  EXPECT_EQ(UsdToMicros(0.1) + UsdToMicros(0.2), UsdToMicros(0.3));
  EXPECT_EQ(UsdToMicros(0.008), 8000);
  EXPECT_DOUBLE_EQ(MicrosToUsd(40000), 0.04);
  EXPECT_EQ(FormatUsd(0.04), "0.04");
  EXPECT_EQ(FormatUsd(12.5), "12.5");
  EXPECT_EQ(FormatUsd(0), "0");
  EXPECT_EQ(FormatUsd(3), "3");
}

}  // namespace
}  // namespace pictor
