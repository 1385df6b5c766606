#include "core/strict_json.h"

#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <vector>

#include "core/utf8.h"

namespace pictor {
namespace {

using Json = nlohmann::json;

// At most `max_chars` code points of valid UTF-8 `key`, with "..." when cut.
std::string Shortened(const std::string& key, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < key.size(); ++i) {
    if ((static_cast<unsigned char>(key[i]) & 0xC0) != 0x80 && chars++ == max_chars) {
      return key.substr(0, i) + "...";
    }
  }
  return key;
}

}  // namespace

Status ParseStrictJson(std::string_view text, Json* out) {
  // One set of names per object being read, innermost last. The parser reports keys as it reads
  // them, before their values, so the sets follow the nesting exactly.
  std::vector<std::set<std::string>> open_objects;
  std::string duplicate;
  bool found = false;
  auto callback = [&](int /*depth*/, Json::parse_event_t event, Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
        open_objects.emplace_back();
        break;
      case Json::parse_event_t::object_end:
        if (!open_objects.empty()) open_objects.pop_back();
        break;
      case Json::parse_event_t::key:
        if (!open_objects.empty() &&
            !open_objects.back().insert(parsed.get<std::string>()).second && !found) {
          found = true;
          duplicate = parsed.get<std::string>();
        }
        break;
      default:
        break;
    }
    return true;
  };
  *out = Json::parse(text, callback, /*allow_exceptions=*/false);
  if (out->is_discarded()) {
    return Status::InvalidArgument("request body is not valid JSON", "malformed_json");
  }
  if (found) {
    *out = Json();
    return Status::InvalidArgument(
        "duplicate key \"" + Shortened(duplicate, 64) + "\" in a JSON object: name each key once",
        "duplicate_key");
  }
  return Status::Ok();
}

}  // namespace pictor
