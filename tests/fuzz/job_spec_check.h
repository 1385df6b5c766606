// Checks shared by the job body targets: a parsed JobSpec is valid, and writing it as a queue
// message (core/job_message.h) and parsing that again gives the same spec.
#ifndef PICTOR_TESTS_FUZZ_JOB_SPEC_CHECK_H_
#define PICTOR_TESTS_FUZZ_JOB_SPEC_CHECK_H_

#include <string>

#include "core/job_message.h"
#include "core/utf8.h"
#include "core/validation.h"
#include "fuzz_check.h"

namespace pictor::fuzz {

inline void CheckJobSpec(const JobSpec& spec, const RequestLimits& limits) {
  const GenerationRequest& r = spec.request;
  FUZZ_CHECK(ValidateRequest(r, limits).ok());
  FUZZ_CHECK(!r.prompt.empty() && IsValidUtf8(r.prompt) && IsValidUtf8(r.negative_prompt));
  FUZZ_CHECK(r.seed <= kMaxSeed);
  FUZZ_CHECK(r.width >= limits.min_side && r.width <= limits.max_side);
  FUZZ_CHECK(r.height >= limits.min_side && r.height <= limits.max_side);
  FUZZ_CHECK(spec.has_seed || r.seed == 0);

  // Written as every writer of queue messages writes it, read back as a worker reads it.
  Result<JobSpec> again =
      ParseQueueMessageBody(EncodeJobMessage(JobMessageFor(spec)), RequestDefaults{}, limits);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->request.prompt == r.prompt);
  FUZZ_CHECK(again->request.negative_prompt == r.negative_prompt);
  FUZZ_CHECK(again->request.seed == r.seed && again->has_seed == spec.has_seed);
  FUZZ_CHECK(again->request.width == r.width && again->request.height == r.height);
  FUZZ_CHECK(again->job_id == spec.job_id);
}

}  // namespace pictor::fuzz

#endif  // PICTOR_TESTS_FUZZ_JOB_SPEC_CHECK_H_
