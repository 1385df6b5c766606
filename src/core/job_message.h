// The job message on the queue: written by `pictor send` and POST /jobs, read by RunJob (every
// worker: `pictor worker`, `pictor serve`'s in-process workers, the Lambda SQS handler). The
// encoder and the parser sit together so that what one writes the other reads.
//
// Wire format, byte for byte what has always been queued (old messages must stay readable):
//  - a plain-text prompt, as `aws sqs send-message --message-body "A cat"` sends it; or
//  - a compact JSON object with some of "height", "job_id", "negative_prompt", "prompt", "seed",
//    "webhook_url", "width", keys in that (lexicographic) order, UTF-8 written as is, no
//    whitespace:
//    {"height":512,"job_id":"0190…","prompt":"A cat","seed":7,"width":512}
// Pure functions, thread-safe.
#ifndef PICTOR_CORE_JOB_MESSAGE_H_
#define PICTOR_CORE_JOB_MESSAGE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/validation.h"
#include "pictor/status.h"

namespace pictor {

// One job as a writer describes it. Absent fields are left out of the message, and the reader
// fills them in: the seed from the job id (DeriveSeed), the size from its defaults, the job id
// from the message id.
struct JobMessage {
  std::string prompt;           // trimmed, validated by the writer (ValidatePromptText)
  std::string negative_prompt;  // "" = none
  std::optional<uint32_t> seed;
  std::optional<int> width;
  std::optional<int> height;
  std::string job_id;       // "" = none (the message id becomes the job id)
  std::string webhook_url;  // "" = none

  bool operator==(const JobMessage&) const = default;
};

// The message body for `job`. Only a prompt is written as plain text, as the original client
// sent it, unless the text would read as JSON (it starts with '{' once trimmed): then it is the
// JSON {"prompt": ...} so that it comes back as the same prompt. Anything more is JSON.
// `job.prompt` and `job.negative_prompt` must be valid UTF-8.
std::string EncodeJobMessage(const JobMessage& job);

// The message carrying a parsed job: its prompts, its size, its seed when the user chose it,
// and its job id.
JobMessage JobMessageFor(const JobSpec& spec);

// Parses a queue message body: a JSON object (when the first non-blank character is '{') or
// else the plain-text prompt itself. Absent sizes become `defaults`; the request is validated
// against `limits` (see ParseJobJson for the errors; "job_id" is accepted here).
Result<JobSpec> ParseQueueMessageBody(std::string_view body, const RequestDefaults& defaults,
                                      const RequestLimits& limits);

}  // namespace pictor

#endif  // PICTOR_CORE_JOB_MESSAGE_H_
