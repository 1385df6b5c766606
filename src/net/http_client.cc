// The parts of the HttpClient port every implementation shares: header lookups.
#include "net/http_client.h"

#include <string>

#include "core/ascii.h"

namespace pictor::net {

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
