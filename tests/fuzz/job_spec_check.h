// Checks shared by the job body targets: a parsed JobSpec is valid, and writing it back as the
// JSON the API documents and parsing that again gives the same spec.
#ifndef PICTOR_TESTS_FUZZ_JOB_SPEC_CHECK_H_
#define PICTOR_TESTS_FUZZ_JOB_SPEC_CHECK_H_

#include <nlohmann/json.hpp>
#include <string>

#include "core/utf8.h"
#include "core/validation.h"
#include "fuzz_check.h"

namespace pictor::fuzz {

inline std::string EncodeJobSpec(const JobSpec& spec) {
  nlohmann::json doc = {{"prompt", spec.request.prompt},
                        {"width", spec.request.width},
                        {"height", spec.request.height}};
  if (!spec.request.negative_prompt.empty()) {
    doc["negative_prompt"] = spec.request.negative_prompt;
  }
  if (spec.has_seed) doc["seed"] = spec.request.seed;
  if (!spec.job_id.empty()) doc["job_id"] = spec.job_id;
  return doc.dump();
}

inline void CheckJobSpec(const JobSpec& spec, const RequestLimits& limits) {
  const GenerationRequest& r = spec.request;
  FUZZ_CHECK(ValidateRequest(r, limits).ok());
  FUZZ_CHECK(!r.prompt.empty() && IsValidUtf8(r.prompt) && IsValidUtf8(r.negative_prompt));
  FUZZ_CHECK(r.seed <= kMaxSeed);
  FUZZ_CHECK(r.width >= limits.min_side && r.width <= limits.max_side);
  FUZZ_CHECK(r.height >= limits.min_side && r.height <= limits.max_side);
  FUZZ_CHECK(spec.has_seed || r.seed == 0);

  Result<JobSpec> again = ParseJobJson(EncodeJobSpec(spec), RequestDefaults{}, limits,
                                       /*allow_job_id=*/true);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->request.prompt == r.prompt);
  FUZZ_CHECK(again->request.negative_prompt == r.negative_prompt);
  FUZZ_CHECK(again->request.seed == r.seed && again->has_seed == spec.has_seed);
  FUZZ_CHECK(again->request.width == r.width && again->request.height == r.height);
  FUZZ_CHECK(again->job_id == spec.job_id);
}

}  // namespace pictor::fuzz

#endif  // PICTOR_TESTS_FUZZ_JOB_SPEC_CHECK_H_
