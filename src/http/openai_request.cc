// The parser of POST /v1/images/generations bodies (openai_api.h).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <utility>

#include "core/strict_json.h"
#include "core/utf8.h"
#include "http/openai_api.h"

namespace pictor::http {
namespace {

using Json = nlohmann::json;

Status Invalid(std::string message, std::string reason) {
  return Status::InvalidArgument(std::move(message), std::move(reason));
}

// An integer in [lo, hi]; a float with no fraction counts (JSON has one number type).
bool ReadInteger(const Json& value, int64_t lo, int64_t hi, int64_t* out) {
  if (value.is_number_unsigned()) {
    const uint64_t u = value.get<uint64_t>();
    if (u > static_cast<uint64_t>(hi)) return false;
    *out = static_cast<int64_t>(u);
  } else if (value.is_number_integer()) {
    *out = value.get<int64_t>();
  } else if (value.is_number_float()) {
    const double d = value.get<double>();
    // Range first: converting a double outside int64_t's range is undefined behaviour.
    if (!(d >= static_cast<double>(lo) && d <= static_cast<double>(hi))) return false;
    if (d != static_cast<double>(static_cast<int64_t>(d))) return false;
    *out = static_cast<int64_t>(d);
  } else {
    return false;
  }
  return *out >= lo && *out <= hi;
}

// A string field one of whose `accepted` values is given; `why` says why the others are not.
Status ReadChoice(const Json& value, const std::string& field,
                  std::initializer_list<std::string_view> accepted, std::string_view why,
                  std::string* out) {
  std::string list;
  for (std::string_view a : accepted) list += (list.empty() ? "'" : ", '") + std::string(a) + "'";
  if (value.is_string()) {
    for (std::string_view a : accepted) {
      if (value.get_ref<const std::string&>() == a) {
        *out = std::string(a);
        return Status::Ok();
      }
    }
  }
  std::string given = value.is_string() ? "'" + value.get<std::string>() + "'" : value.dump();
  if (given.size() > 80) given = given.substr(0, 77) + "...";
  return Invalid(
      field + " " + given + " is not supported: " + std::string(why) + "; accepted: " + list,
      "unsupported_value");
}

// The fields Pictor takes as OpenAI defines them but cannot honour, and what it accepts of each.
Status CheckUnhonouredField(const std::string& name, const Json& value) {
  std::string ignored;
  if (name == "quality") {
    return ReadChoice(value, name, {"auto", "standard"},
                      "Pictor renders each model at its one quality", &ignored);
  }
  if (name == "background") {
    return ReadChoice(value, name, {"auto", "opaque"}, "Pictor's images are opaque", &ignored);
  }
  if (name == "moderation") {
    return ReadChoice(value, name, {"auto", "low"}, "it is a moderation level", &ignored);
  }
  if (name == "output_format") {
    return ReadChoice(value, name, {"png"}, "Pictor makes PNG images", &ignored);
  }
  if (name == "style") {
    return Invalid("style is not supported: Pictor's models have no styles; leave it out",
                   "unsupported_value");
  }
  int64_t number = 0;
  if (name == "output_compression") {
    if (ReadInteger(value, 100, 100, &number)) return Status::Ok();
    return Invalid(
        "output_compression must be 100 (or absent): it applies to jpeg and webp, and Pictor "
        "makes PNG images",
        "unsupported_value");
  }
  if (name == "partial_images") {
    if (ReadInteger(value, 0, 0, &number)) return Status::Ok();
    return Invalid("partial_images must be 0 (or absent): Pictor does not stream images",
                   "unsupported_value");
  }
  if (name == "stream") {
    if (value.is_boolean() && !value.get<bool>()) return Status::Ok();
    return Invalid("stream must be false (or absent): Pictor does not stream images",
                   "unsupported_value");
  }
  return Invalid("unknown parameter '" + name +
                     "'; accepted are prompt, model, n, size, response_format, user, seed, "
                     "negative_prompt and OpenAI's quality, background, moderation, "
                     "output_format, output_compression, stream, partial_images",
                 "unknown_parameter");
}

}  // namespace

bool ParseImageSize(std::string_view text, int* width, int* height) {
  const size_t x = text.find('x');
  if (x == std::string_view::npos) return false;
  auto side = [](std::string_view digits, int* out) {
    if (digits.empty() || digits.size() > 5) return false;
    int v = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    *out = v;
    return true;
  };
  return side(text.substr(0, x), width) && side(text.substr(x + 1), height);
}

Result<OpenAiImageRequest> ParseOpenAiImageRequest(std::string_view body,
                                                   const RequestDefaults& default_size,
                                                   const RequestLimits& limits,
                                                   std::string* param) {
  param->clear();
  Json doc;
  if (Status s = ParseStrictJson(body, &doc); !s.ok()) return s;
  if (!doc.is_object()) return Invalid("request body must be a JSON object", "malformed_json");

  OpenAiImageRequest out;
  out.request.width = default_size.width;
  out.request.height = default_size.height;
  bool has_prompt = false;
  for (const auto& [name, value] : doc.items()) {
    *param = name;
    // null stands for "the default" in OpenAI's schema; a required prompt stays required.
    if (value.is_null() && name != "prompt") continue;
    if (name == "prompt" || name == "negative_prompt") {
      if (!value.is_string()) return Invalid(name + " must be a string", "invalid_type");
      const auto& text = value.get_ref<const std::string&>();
      if (Status s = ValidatePromptText(text, limits, name, name == "negative_prompt"); !s.ok()) {
        return s;
      }
      std::string trimmed(HasVisibleCharacter(text) ? TrimWhitespace(text) : std::string_view());
      (name == "prompt" ? out.request.prompt : out.request.negative_prompt) = std::move(trimmed);
      has_prompt = has_prompt || name == "prompt";
    } else if (name == "model") {
      if (!value.is_string() || value.get_ref<const std::string&>().empty() ||
          value.get_ref<const std::string&>().size() > 256) {
        return Invalid("model must be a non-empty string of at most 256 bytes", "invalid_type");
      }
      out.model = value.get<std::string>();
    } else if (name == "n") {
      int64_t n = 0;
      if (!ReadInteger(value, 1, kMaxImagesPerRequest, &n)) {
        return Invalid("n must be an integer between 1 and " +
                           std::to_string(kMaxImagesPerRequest) + ", not " + value.dump(),
                       "invalid_n");
      }
      out.n = static_cast<int>(n);
    } else if (name == "size") {
      if (!value.is_string())
        return Invalid("size must be a string such as '1024x1024'", "invalid_size");
      const auto& text = value.get_ref<const std::string&>();
      if (text == "auto") continue;
      if (!ParseImageSize(text, &out.request.width, &out.request.height)) {
        std::string shown = text.size() > 40 ? text.substr(0, 37) + "..." : text;
        return Invalid(
            "size '" + shown + "' is not WIDTHxHEIGHT in pixels, such as '1024x1024' (or 'auto')",
            "invalid_size");
      }
    } else if (name == "response_format") {
      std::string format;
      if (Status s = ReadChoice(value, name, {"url", "b64_json"},
                                "images are answered as a URL or as base64 PNG", &format);
          !s.ok()) {
        return s;
      }
      out.format = format == "url" ? ImageResponseFormat::kUrl : ImageResponseFormat::kB64Json;
    } else if (name == "user") {
      if (!value.is_string()) return Invalid("user must be a string", "invalid_type");
      out.user = value.get<std::string>();
    } else if (name == "seed") {
      int64_t seed = 0;
      if (!ReadInteger(value, 0, kMaxSeed, &seed)) {
        return Invalid("seed must be an integer between 0 and " + std::to_string(kMaxSeed),
                       "invalid_seed");
      }
      out.request.seed = static_cast<uint32_t>(seed);
      out.has_seed = true;
    } else if (Status s = CheckUnhonouredField(name, value); !s.ok()) {
      return s;
    }
  }
  *param = "prompt";
  if (!has_prompt) return Invalid("prompt is required", "prompt_required");
  Status checked = ValidateRequest(out.request, limits);
  if (!checked.ok()) {
    *param = checked.reason() == "invalid_size" ? "size" : "prompt";
    return checked;
  }
  param->clear();
  return out;
}

}  // namespace pictor::http
