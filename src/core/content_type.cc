#include "core/content_type.h"

namespace pictor {

std::string_view ContentTypeForKey(std::string_view key) {
  if (key.ends_with(".png")) return "image/png";
  if (key.ends_with(".json")) return "application/json";
  return "application/octet-stream";
}

}  // namespace pictor
