// The parts of the HttpClient port every implementation shares: header lookups.
#include "net/http_client.h"

#include <cctype>
#include <string>

namespace pictor::net {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

const std::string* HttpReply::FindHeader(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return &value;
  }
  return nullptr;
}

std::string HttpReply::Header(std::string_view name) const {
  const std::string* value = FindHeader(name);
  return value ? *value : std::string();
}

}  // namespace pictor::net
