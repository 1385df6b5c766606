// Renders a prompt with the builtin renderer and writes the PNG: the README examples were made
// with this. Usage: make_examples PROMPT SEED WIDTH HEIGHT OUTPUT.png
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "image/png_writer.h"
#include "image/scene.h"

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s PROMPT SEED WIDTH HEIGHT OUTPUT.png\n", argv[0]);
    return 2;
  }
  const auto seed = static_cast<uint32_t>(std::strtoul(argv[2], nullptr, 10));
  const int width = std::atoi(argv[3]), height = std::atoi(argv[4]);
  const pictor::image::Canvas canvas = pictor::image::RenderScene(argv[1], seed, width, height);
  const std::string png =
      pictor::image::EncodePng(canvas.pixels(), canvas.width(), canvas.height(), 3);
  std::ofstream out(argv[5], std::ios::binary);
  out.write(png.data(), static_cast<std::streamsize>(png.size()));
  return out ? 0 : 1;
}
