// The page's files (web/), compiled into the binary by scripts/embed_files.cmake: the generated
// web_assets.cc in the build folder defines WebAssets(). Immutable: thread-safe.
#ifndef PICTOR_HTTP_WEB_ASSETS_H_
#define PICTOR_HTTP_WEB_ASSETS_H_

#include <span>
#include <string_view>

namespace pictor::http {

struct WebAsset {
  std::string_view path;   // "/index.html", "/app.js": "/" and the file's path under web/
  std::string_view bytes;  // the file, as it was at build time
};

// Every file of web/, in the order CMake listed them.
std::span<const WebAsset> WebAssets();

}  // namespace pictor::http

#endif  // PICTOR_HTTP_WEB_ASSETS_H_
