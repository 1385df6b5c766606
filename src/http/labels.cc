#include "http/labels.h"

#include <array>

namespace pictor::http {

std::string_view MethodLabel(std::string_view method) {
  static constexpr std::array<std::string_view, 7> kKnown = {"GET",    "HEAD",  "POST",   "PUT",
                                                             "DELETE", "PATCH", "OPTIONS"};
  for (std::string_view known : kKnown) {
    if (method == known) return known;
  }
  return "other";
}

}  // namespace pictor::http
