#include <string>

#include "core/utf8.h"
#include "pictor/object_store.h"

namespace pictor {

std::string NormalizeKeyPrefix(std::string_view prefix) {
  std::string out;
  while (!prefix.empty()) {
    const size_t slash = prefix.find('/');
    const std::string_view segment = prefix.substr(0, slash);
    if (!segment.empty()) {
      if (!out.empty()) out += '/';
      out.append(segment);
    }
    if (slash == std::string_view::npos) break;
    prefix.remove_prefix(slash + 1);
  }
  return out;
}

Status ValidateObjectKey(std::string_view key) {
  if (key.empty()) return Status::InvalidArgument("object key is empty", "invalid_key");
  if (key.size() > 1024) {
    return Status::InvalidArgument(
        "object key is " + std::to_string(key.size()) + " bytes; at most 1024 are allowed",
        "invalid_key");
  }
  if (!IsValidUtf8(key)) {
    return Status::InvalidArgument("object key is not valid UTF-8", "invalid_key");
  }
  for (unsigned char c : key) {
    if (c < 0x20 || c == 0x7F) {
      return Status::InvalidArgument("object key contains a control character", "invalid_key");
    }
  }
  if (key.front() == '/') {
    return Status::InvalidArgument("object key must not start with '/'", "invalid_key");
  }
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string_view::npos) end = key.size();
    std::string_view segment = key.substr(start, end - start);
    if (segment.empty()) {
      return Status::InvalidArgument("object key has an empty path segment", "invalid_key");
    }
    if (segment == "." || segment == "..") {
      return Status::InvalidArgument("object key must not contain '.' or '..' segments",
                                     "invalid_key");
    }
    start = end + 1;
  }
  return Status::Ok();
}

}  // namespace pictor
