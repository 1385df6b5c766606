#include "core/job_message.h"

#include <nlohmann/json.hpp>

#include "core/utf8.h"

namespace pictor {

std::string EncodeJobMessage(const JobMessage& job) {
  const bool only_prompt = job.negative_prompt.empty() && !job.seed && !job.width && !job.height &&
                           job.job_id.empty() && job.webhook_url.empty();
  const std::string_view trimmed = TrimWhitespace(job.prompt);
  if (only_prompt && (trimmed.empty() || trimmed.front() != '{')) return job.prompt;
  // nlohmann::json keeps an object's keys sorted and dump() writes compact UTF-8: the bytes
  // every message so far was written with.
  nlohmann::json doc = {{"prompt", job.prompt}};
  if (!job.negative_prompt.empty()) doc["negative_prompt"] = job.negative_prompt;
  if (job.seed) doc["seed"] = *job.seed;
  if (job.width) doc["width"] = *job.width;
  if (job.height) doc["height"] = *job.height;
  if (!job.job_id.empty()) doc["job_id"] = job.job_id;
  if (!job.webhook_url.empty()) doc["webhook_url"] = job.webhook_url;
  return doc.dump();
}

JobMessage JobMessageFor(const JobSpec& spec) {
  JobMessage job;
  job.prompt = spec.request.prompt;
  job.negative_prompt = spec.request.negative_prompt;
  if (spec.has_seed) job.seed = spec.request.seed;
  job.width = spec.request.width;
  job.height = spec.request.height;
  job.job_id = spec.job_id;
  job.webhook_url = spec.webhook_url;
  return job;
}

Result<JobSpec> ParseQueueMessageBody(std::string_view body, const RequestDefaults& defaults,
                                      const RequestLimits& limits) {
  std::string_view trimmed = TrimWhitespace(body);
  if (!trimmed.empty() && trimmed.front() == '{') {
    return ParseJobJson(trimmed, defaults, limits, /*allow_job_id=*/true,
                        /*allow_webhook_url=*/true);
  }
  if (Status s = ValidatePromptText(body, limits, "prompt", false); !s.ok()) return s;
  JobSpec spec;
  spec.request.prompt = std::string(trimmed);
  spec.request.width = defaults.width;
  spec.request.height = defaults.height;
  return spec;
}

}  // namespace pictor
