// Builtin image path benchmarks: the PNG writer against libpng's defaults on the same rendered
// pixels, rendering alone, and render + encode.
//   bench_image --benchmark_repetitions=9 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <png.h>

#include <string>

#include "image/png_writer.h"
#include "image/scene.h"

namespace {

constexpr const char* kPrompt =
    "Ancient egyptians throwing a birthday party in front of the great pyramid";

const pictor::image::Canvas& Scene1024() {
  static const pictor::image::Canvas canvas = pictor::image::RenderScene(kPrompt, 7, 1024, 1024);
  return canvas;
}

void AppendToString(png_structp png, png_bytep data, png_size_t length) {
  static_cast<std::string*>(png_get_io_ptr(png))->append(reinterpret_cast<char*>(data), length);
}

// libpng with its default settings: zlib level 6, all filters tried per row.
std::string EncodeWithLibpng(const pictor::image::Canvas& c) {
  std::string out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return {};
  }
  png_set_write_fn(png, &out, AppendToString, nullptr);
  png_set_IHDR(png, info, static_cast<png_uint_32>(c.width()), static_cast<png_uint_32>(c.height()),
               8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < c.height(); ++y) {
    png_write_row(png, const_cast<png_bytep>(c.pixels() + static_cast<size_t>(y) * c.width() * 3));
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

void BM_EncodeLibpngDefault(benchmark::State& state) {
  const auto& c = Scene1024();
  size_t bytes = 0;
  for (auto _ : state) {
    std::string png = EncodeWithLibpng(c);
    bytes = png.size();
    benchmark::DoNotOptimize(png);
  }
  state.counters["png_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_EncodeLibpngDefault)->Unit(benchmark::kMillisecond)->MinTime(0.5);

// EncodePng exactly as the builtin model calls it (default options): the figure compared with
// libpng in docs/PERFORMANCE.md.
void BM_EncodePictorDefault(benchmark::State& state) {
  const auto& c = Scene1024();
  size_t bytes = 0;
  for (auto _ : state) {
    std::string png = pictor::image::EncodePng(c.pixels(), c.width(), c.height(), 3);
    bytes = png.size();
    benchmark::DoNotOptimize(png);
  }
  state.counters["png_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_EncodePictorDefault)->Unit(benchmark::kMillisecond)->MinTime(0.5);

// The default compressor (image runs). Argument: filter (0 none, 1 sub, 2 up, 3 per row).
void BM_EncodeImageRuns(benchmark::State& state) {
  const auto& c = Scene1024();
  pictor::image::PngOptions options;
  options.filter = static_cast<pictor::image::PngFilter>(state.range(0));
  size_t bytes = 0;
  for (auto _ : state) {
    std::string png = pictor::image::EncodePng(c.pixels(), c.width(), c.height(), 3, options);
    bytes = png.size();
    benchmark::DoNotOptimize(png);
  }
  state.counters["png_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_EncodeImageRuns)
    ->ArgNames({"filter"})
    ->DenseRange(0, 3)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(0.5);

// libdeflate. Arguments: level, filter (0 none, 1 sub, 2 up, 3 per row).
void BM_EncodeLibdeflate(benchmark::State& state) {
  const auto& c = Scene1024();
  pictor::image::PngOptions options;
  options.compressor = pictor::image::PngCompressor::kLibdeflate;
  options.compression_level = static_cast<int>(state.range(0));
  options.filter = static_cast<pictor::image::PngFilter>(state.range(1));
  size_t bytes = 0;
  for (auto _ : state) {
    std::string png = pictor::image::EncodePng(c.pixels(), c.width(), c.height(), 3, options);
    bytes = png.size();
    benchmark::DoNotOptimize(png);
  }
  state.counters["png_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_EncodeLibdeflate)
    ->ArgNames({"level", "filter"})
    ->Args({1, 1})
    ->Args({1, 2})
    ->Args({1, 3})
    ->Args({1, 0})
    ->Args({2, 0})
    ->Args({2, 1})
    ->Args({2, 2})
    ->Args({2, 3})
    ->Args({3, 1})
    ->Args({4, 1})
    ->Args({6, 1})
    ->Unit(benchmark::kMillisecond)
    ->MinTime(0.5);

void BM_Render(benchmark::State& state) {
  const int side = static_cast<int>(state.range(0));
  for (auto _ : state) {
    auto canvas = pictor::image::RenderScene(kPrompt, 7, side, side);
    benchmark::DoNotOptimize(canvas.pixels());
  }
}
BENCHMARK(BM_Render)->Arg(512)->Arg(1024)->Unit(benchmark::kMillisecond)->MinTime(0.5);

void BM_RenderAndEncode(benchmark::State& state) {
  const int side = static_cast<int>(state.range(0));
  for (auto _ : state) {
    auto canvas = pictor::image::RenderScene(kPrompt, 7, side, side);
    std::string png = pictor::image::EncodePng(canvas.pixels(), side, side, 3);
    benchmark::DoNotOptimize(png);
  }
}
BENCHMARK(BM_RenderAndEncode)->Arg(512)->Arg(1024)->Unit(benchmark::kMillisecond)->MinTime(0.5);

}  // namespace

BENCHMARK_MAIN();
