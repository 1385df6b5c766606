#include "core/validation.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/hash.h"
#include "core/strict_json.h"
#include "core/utf8.h"

namespace pictor {
namespace {

using Json = nlohmann::json;

Status Invalid(std::string message, std::string reason) {
  return Status::InvalidArgument(std::move(message), std::move(reason));
}

// Reads an integer field in [lo, hi]. Rejects floats with a fraction, strings, booleans.
Status ReadInteger(const Json& value, std::string_view field, int64_t lo, int64_t hi,
                   std::string_view reason, int64_t* out) {
  std::string range = std::to_string(lo) + " and " + std::to_string(hi);
  std::string what = std::string(field) + " must be an integer between " + range;
  if (value.is_number_integer()) {
    if (value.is_number_unsigned()) {
      uint64_t u = value.get<uint64_t>();
      if (u > static_cast<uint64_t>(hi)) return Invalid(what, std::string(reason));
      *out = static_cast<int64_t>(u);
    } else {
      *out = value.get<int64_t>();
    }
  } else if (value.is_number_float()) {
    double d = value.get<double>();
    // Range first: converting a double outside int64_t's range (1e300) is undefined behaviour.
    if (!(d >= static_cast<double>(lo) && d <= static_cast<double>(hi))) {
      return Invalid(what, std::string(reason));
    }
    if (d != static_cast<double>(static_cast<int64_t>(d))) return Invalid(what, "invalid_type");
    *out = static_cast<int64_t>(d);
  } else {
    return Invalid(what, "invalid_type");
  }
  if (*out < lo || *out > hi) return Invalid(what, std::string(reason));
  return Status::Ok();
}

}  // namespace

Status ValidatePromptText(std::string_view text, const RequestLimits& limits,
                          std::string_view field, bool allow_empty) {
  const std::string name(field);
  if (!IsValidUtf8(text)) return Invalid(name + " is not valid UTF-8", "invalid_prompt");
  uint32_t control = 0;
  if (!ForEachCodePoint(text, [&](uint32_t cp) {
        control = cp;
        return !IsForbiddenControl(cp);
      })) {
    return Invalid(fmt::format("{} contains the control character U+{:04X} (of the control "
                               "characters only newline and tab are allowed)",
                               name, control),
                   "invalid_prompt");
  }
  std::string_view trimmed = TrimWhitespace(text);
  // Text of only invisible characters (zero-width spaces, BOMs, bidi marks, ...) would reach the
  // model as an empty prompt: it is one, with the same error.
  if (!allow_empty && !HasVisibleCharacter(trimmed)) {
    return Invalid(name + " is required", "prompt_required");
  }
  size_t chars = CountCodePoints(trimmed);
  if (chars > limits.max_prompt_chars) {
    return Invalid(name + " is " + std::to_string(chars) + " characters long; at most " +
                       std::to_string(limits.max_prompt_chars) + " are allowed",
                   "prompt_too_long");
  }
  return Status::Ok();
}

Status ValidateRequest(const GenerationRequest& request, const RequestLimits& limits) {
  if (Status s = ValidatePromptText(request.prompt, limits, "prompt", false); !s.ok()) return s;
  if (Status s = ValidatePromptText(request.negative_prompt, limits, "negative_prompt", true);
      !s.ok()) {
    return s;
  }
  if (request.seed > kMaxSeed) {
    return Invalid("seed must be an integer between 0 and " + std::to_string(kMaxSeed),
                   "invalid_seed");
  }
  auto side_ok = [&](int v) { return v >= limits.min_side && v <= limits.max_side; };
  if (!side_ok(request.width) || !side_ok(request.height)) {
    return Invalid("size " + std::to_string(request.width) + "x" + std::to_string(request.height) +
                       " is not allowed; width and height must each be between " +
                       std::to_string(limits.min_side) + " and " + std::to_string(limits.max_side),
                   "invalid_size");
  }
  return Status::Ok();
}

Result<JobSpec> ParseJobJson(std::string_view body, const RequestDefaults& defaults,
                             const RequestLimits& limits, bool allow_job_id,
                             bool allow_webhook_url) {
  Json doc;
  if (Status s = ParseStrictJson(body, &doc); !s.ok()) return s;
  if (!doc.is_object()) return Invalid("request body must be a JSON object", "malformed_json");

  JobSpec spec;
  spec.request.width = defaults.width;
  spec.request.height = defaults.height;
  bool has_prompt = false;
  for (const auto& [name, value] : doc.items()) {
    if (name == "prompt" || name == "negative_prompt") {
      if (!value.is_string()) return Invalid(name + " must be a string", "invalid_type");
      const auto& text = value.get_ref<const std::string&>();
      if (Status s = ValidatePromptText(text, limits, name, name == "negative_prompt"); !s.ok()) {
        return s;
      }
      // A negative prompt with nothing visible is no negative prompt.
      std::string trimmed(HasVisibleCharacter(text) ? TrimWhitespace(text) : std::string_view());
      if (name == "prompt") {
        spec.request.prompt = std::move(trimmed);
        has_prompt = true;
      } else {
        spec.request.negative_prompt = std::move(trimmed);
      }
    } else if (name == "seed") {
      if (value.is_null()) continue;
      int64_t seed = 0;
      if (Status s = ReadInteger(value, "seed", 0, kMaxSeed, "invalid_seed", &seed); !s.ok()) {
        return s;
      }
      spec.request.seed = static_cast<uint32_t>(seed);
      spec.has_seed = true;
    } else if (name == "width" || name == "height") {
      int64_t side = 0;
      if (Status s =
              ReadInteger(value, name, limits.min_side, limits.max_side, "invalid_size", &side);
          !s.ok()) {
        return s;
      }
      (name == "width" ? spec.request.width : spec.request.height) = static_cast<int>(side);
    } else if (name == "job_id" && allow_job_id) {
      if (!value.is_string() || value.get_ref<const std::string&>().empty() ||
          value.get_ref<const std::string&>().size() > 128) {
        return Invalid("job_id must be a non-empty string of at most 128 bytes", "invalid_type");
      }
      spec.job_id = value.get<std::string>();
    } else if (name == "webhook_url" && allow_webhook_url) {
      if (value.is_null()) continue;
      if (!value.is_string()) return Invalid("webhook_url must be a string", "invalid_type");
      spec.webhook_url = value.get<std::string>();
    } else {
      return Invalid("unknown field '" + name +
                         "'; accepted are prompt, negative_prompt, seed, width, height" +
                         (allow_webhook_url ? ", webhook_url" : ""),
                     "unknown_field");
    }
  }
  if (!has_prompt) return Invalid("prompt is required", "prompt_required");
  if (Status s = ValidateRequest(spec.request, limits); !s.ok()) return s;
  return spec;
}

uint32_t DeriveSeed(std::string_view id) {
  uint64_t h = StableHash64(id);
  return static_cast<uint32_t>(h % (static_cast<uint64_t>(kMaxSeed) + 1));
}

}  // namespace pictor
