#include "model/builtin/builtin_model.h"

#include <gtest/gtest.h>
#include <spng.h>

#include <string>
#include <thread>
#include <vector>

namespace pictor {
namespace {

GenerationRequest Request(std::string prompt, uint32_t seed, int w, int h) {
  GenerationRequest r;
  r.prompt = std::move(prompt);
  r.seed = seed;
  r.width = w;
  r.height = h;
  return r;
}

void PngSize(const std::string& png, uint32_t* w, uint32_t* h) {
  spng_ctx* ctx = spng_ctx_new(0);
  spng_set_png_buffer(ctx, png.data(), png.size());
  spng_ihdr ihdr{};
  EXPECT_EQ(spng_get_ihdr(ctx, &ihdr), 0);
  size_t size = 0;
  EXPECT_EQ(spng_decoded_image_size(ctx, SPNG_FMT_RGB8, &size), 0);
  std::vector<unsigned char> pixels(size);
  EXPECT_EQ(spng_decode_image(ctx, pixels.data(), size, SPNG_FMT_RGB8, 0), 0);
  spng_ctx_free(ctx);
  *w = ihdr.width;
  *h = ihdr.height;
}

TEST(BuiltinModel, IsNamedBuiltin) { EXPECT_EQ(NewBuiltinModel()->Name(), "builtin"); }

TEST(BuiltinModel, CheckAcceptsTheSizeLimits) {
  auto model = NewBuiltinModel();
  EXPECT_TRUE(model->Check(Request("cat", 1, 64, 64)).ok());
  EXPECT_TRUE(model->Check(Request("cat", 1, 2048, 2048)).ok());
  EXPECT_TRUE(model->Check(Request("cat", 1, 777, 333)).ok());
}

TEST(BuiltinModel, CheckRejectsSizesOutsideTheRange) {
  auto model = NewBuiltinModel();
  for (auto [w, h] : {std::pair{63, 512}, std::pair{512, 63}, std::pair{2049, 512},
                      std::pair{512, 2049}, std::pair{0, 0}, std::pair{-5, 100}}) {
    const Status s = model->Check(Request("cat", 1, w, h));
    EXPECT_TRUE(s.IsInvalidArgument()) << w << "x" << h;
    EXPECT_EQ(s.reason(), "invalid_size");
    EXPECT_NE(s.message().find("64"), std::string::npos);
    EXPECT_NE(s.message().find("2048"), std::string::npos);
  }
}

TEST(BuiltinModel, GenerateRefusesWhatCheckRefuses) {
  const Result<GeneratedImage> r = NewBuiltinModel()->Generate(Request("cat", 1, 2049, 64));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().reason(), "invalid_size");
}

TEST(BuiltinModel, GeneratesAPngOfTheRequestedSize) {
  const Result<GeneratedImage> r = NewBuiltinModel()->Generate(Request("a dog", 42, 777, 333));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->model, "builtin");
  EXPECT_EQ(r->seed, 42u);
  EXPECT_EQ(r->width, 777);
  EXPECT_EQ(r->height, 333);
  uint32_t w = 0, h = 0;
  PngSize(r->png, &w, &h);
  EXPECT_EQ(w, 777u);
  EXPECT_EQ(h, 333u);
}

TEST(BuiltinModel, SameRequestGivesTheSameBytes) {
  auto model = NewBuiltinModel();
  const GenerationRequest req = Request("katter i verdensrommet", 9, 200, 120);
  EXPECT_EQ(model->Generate(req)->png, model->Generate(req)->png);
}

TEST(BuiltinModel, ConcurrentGenerateCallsAgree) {
  auto model = NewBuiltinModel();
  const GenerationRequest req = Request("a castle and a dragon", 3, 160, 160);
  const std::string expected = model->Generate(req)->png;
  std::vector<std::string> results(4);
  std::vector<std::thread> threads;
  for (auto& out : results) {
    threads.emplace_back([&model, &req, &out] { out = model->Generate(req)->png; });
  }
  for (auto& t : threads) t.join();
  for (const auto& out : results) EXPECT_EQ(out, expected);
}

TEST(BuiltinModel, ArbitraryBytePromptsStillGiveAnImage) {
  auto model = NewBuiltinModel();
  const std::string prompts[] = {std::string("\0\x01\x02\xff\xfe", 5), "\xc3", "\xe2\x82",
                                 std::string(3000, '\x80'), ""};
  for (const std::string& p : prompts) {
    const Result<GeneratedImage> r = model->Generate(Request(p, 1, 64, 64));
    EXPECT_TRUE(r.ok());
  }
}

}  // namespace
}  // namespace pictor
