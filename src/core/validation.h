// Validation of everything a user sends before any model call costs money: prompt, seed, size.
// Also the one parser of JSON job bodies, shared by the HTTP API and the queue message
// (core/job_message.h).
#ifndef PICTOR_CORE_VALIDATION_H_
#define PICTOR_CORE_VALIDATION_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "pictor/request.h"
#include "pictor/status.h"

namespace pictor {

struct RequestLimits {
  size_t max_prompt_chars = 512;  // Titan's limit; configurable
  int min_side = 64;
  int max_side = 2048;

  bool operator==(const RequestLimits&) const = default;
};

// Size used when a request gives none: kDefaultImageWidth x kDefaultImageHeight (512x512) for
// queue jobs, and 1024x1024 for the synchronous API (http::ApiOptions::sync_defaults), as the
// original system did.
struct RequestDefaults {
  int width = kDefaultImageWidth;
  int height = kDefaultImageHeight;

  bool operator==(const RequestDefaults&) const = default;
};

// Prompt rules: valid UTF-8; no control character (C0 except newline and tab, DEL, C1: see
// IsForbiddenControl in core/utf8.h); at most max_chars code points after trimming; and, unless
// `allow_empty`, at least one visible character (see IsInvisible), else prompt_required as for an
// empty prompt. `field` names the field in messages ("prompt").
Status ValidatePromptText(std::string_view text, const RequestLimits& limits,
                          std::string_view field, bool allow_empty);

// Checks a whole request (prompt already trimmed). InvalidArgument with a reason:
// prompt_required, prompt_too_long, invalid_prompt, invalid_seed, invalid_size.
Status ValidateRequest(const GenerationRequest& request, const RequestLimits& limits);

// A parsed job: the request, whether the user chose the seed, and the job id carried in the
// body (only queue messages written by the API carry one).
struct JobSpec {
  GenerationRequest request;
  bool has_seed = false;
  std::string job_id;
  // Where the job's final state is POSTed (POST /jobs and queue messages only); "" = nowhere.
  // Only its type is checked here: the API checks the URL (core/webhook_url.h), and the
  // deliverer checks where it leads.
  std::string webhook_url;
};

// Parses a JSON object {"prompt", "negative_prompt"?, "seed"?, "width"?, "height"?} and
// validates it. Unknown fields, wrong types and malformed JSON are InvalidArgument with a
// message naming the field (reasons: malformed_json, duplicate_key, unknown_field, invalid_type,
// ...). A key named twice, in this object or any nested one, is duplicate_key (core/strict_json.h).
// `allow_job_id` accepts the internal "job_id" field of queue messages; `allow_webhook_url` the
// "webhook_url" of jobs (a string, or null for none).
Result<JobSpec> ParseJobJson(std::string_view body, const RequestDefaults& defaults,
                             const RequestLimits& limits, bool allow_job_id = false,
                             bool allow_webhook_url = false);

// A seed in 0..kMaxSeed derived from an id, so a redelivered message makes the same image.
uint32_t DeriveSeed(std::string_view id);

}  // namespace pictor

#endif  // PICTOR_CORE_VALIDATION_H_
