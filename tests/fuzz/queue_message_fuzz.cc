// A queue message body as the worker reads it: ParseQueueMessageBody (a JSON job or a plain-text
// prompt) and the SQLite queue's own body check (sqlite_queue::ValidateBody, the characters SQS
// accepts). The first byte picks the limits; the rest is the body.
// Invariants: what ValidateBody accepts is 1..256 KiB of valid UTF-8; a parsed job validates and
// re-encodes to the same spec (job_spec_check.h); a plain-text body's prompt is the body trimmed.
#include "core/job_message.h"
#include "core/utf8.h"
#include "fuzz_check.h"
#include "job_spec_check.h"
#include "queue/sqlite/message_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pictor::fuzz::Cursor in(pictor::fuzz::AsText(data, size));
  const uint8_t mode = in.Byte();
  pictor::RequestLimits limits;
  if (mode & 1) limits.max_prompt_chars = 16;
  const std::string_view body = in.Rest();

  if (pictor::sqlite_queue::ValidateBody(body).ok()) {
    FUZZ_CHECK(!body.empty() && body.size() <= 256 * 1024);
    FUZZ_CHECK(pictor::IsValidUtf8(body));
  }

  pictor::Result<pictor::JobSpec> spec =
      pictor::ParseQueueMessageBody(body, pictor::RequestDefaults{}, limits);
  if (!spec.ok()) {
    FUZZ_CHECK(spec.status().code() == pictor::StatusCode::kInvalidArgument);
    return 0;
  }
  pictor::fuzz::CheckJobSpec(*spec, limits);
  if (spec->job_id.empty() && !spec->has_seed) {
    // Plain text (or JSON without seed and id): the prompt is somewhere in the body.
    FUZZ_CHECK(body.find(spec->request.prompt) != std::string_view::npos ||
               body.find('{') != std::string_view::npos);
  }
  return 0;
}
