#include "http/entity_tag.h"

#include <string>

namespace pictor::http {
namespace {

// The opaque tag of an entity tag, quotes included, without a weakness prefix.
std::string_view Opaque(std::string_view tag) {
  if (tag.rfind("W/", 0) == 0) tag.remove_prefix(2);
  return tag;
}

bool IsOws(char c) { return c == ' ' || c == '\t'; }

// Walks one field value; true on the first member that matches.
bool ListHits(std::string_view list, std::string_view wanted) {
  size_t i = 0;
  while (i < list.size()) {
    if (IsOws(list[i]) || list[i] == ',') {
      ++i;
      continue;
    }
    if (list[i] == '*') return true;
    size_t start = i;
    if (list.compare(i, 2, "W/") == 0) i += 2;
    if (i >= list.size() || list[i] != '"') return false;  // malformed: stop here
    size_t close = list.find('"', i + 1);
    if (close == std::string_view::npos) return false;
    if (Opaque(list.substr(start, close + 1 - start)) == wanted) return true;
    i = close + 1;
    while (i < list.size() && IsOws(list[i])) ++i;
    if (i < list.size() && list[i] != ',') return false;
  }
  return false;
}

}  // namespace

bool IfNoneMatchHits(const std::vector<std::string_view>& fields, std::string_view etag) {
  std::string quoted;
  std::string_view wanted = Opaque(etag);
  if (wanted.empty() || wanted.front() != '"') {
    // Appended piecewise: GCC 12 at -O3 misreports "\"" + string as overlapping (-Wrestrict).
    quoted.reserve(wanted.size() + 2);
    quoted.push_back('"');
    quoted.append(wanted);
    quoted.push_back('"');
    wanted = quoted;
  }
  for (std::string_view field : fields) {
    if (ListHits(field, wanted)) return true;
  }
  return false;
}

}  // namespace pictor::http
