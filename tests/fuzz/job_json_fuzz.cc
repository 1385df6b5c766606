// ParseJobJson, the one parser of job bodies (POST /jobs, POST /generate-image, queue messages
// written by the API). The first byte picks allow_job_id and the limits; the rest is the body.
// Invariants (job_spec_check.h): what is accepted validates, and re-encodes to the same spec.
#include "core/validation.h"
#include "fuzz_check.h"
#include "job_spec_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pictor::fuzz::Cursor in(pictor::fuzz::AsText(data, size));
  const uint8_t mode = in.Byte();
  pictor::RequestLimits limits;
  if (mode & 2) limits.max_prompt_chars = 16;  // reach the length checks with short inputs
  pictor::RequestDefaults defaults;
  if (mode & 4) defaults = {1024, 1024};
  const bool allow_job_id = (mode & 1) != 0;

  pictor::Result<pictor::JobSpec> spec =
      pictor::ParseJobJson(in.Rest(), defaults, limits, allow_job_id);
  if (!spec.ok()) {
    FUZZ_CHECK(spec.status().code() == pictor::StatusCode::kInvalidArgument);
    return 0;
  }
  FUZZ_CHECK(allow_job_id || spec->job_id.empty());
  FUZZ_CHECK(spec->job_id.size() <= 128);
  pictor::fuzz::CheckJobSpec(*spec, limits);
  return 0;
}
