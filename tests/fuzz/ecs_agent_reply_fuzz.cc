// The ECS agent's answer to a task-protection PUT (aws/ecs_task_protection.h). The input's first
// byte picks the HTTP status (200, 400, 403, 500), the rest is the body.
// Invariants: Ok only for a 200 whose body is a JSON object with a "protection" object; every
// other answer a PermissionDenied (403 only) or an Unavailable whose message is printable ASCII
// (the agent's text cut short and with control characters replaced) and bounded.
#include <string>

#include "aws/ecs_task_protection.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static constexpr long kStatuses[] = {200, 400, 403, 500};
  const long status = kStatuses[data[0] % 4];
  const std::string_view body = pictor::fuzz::AsText(data + 1, size - 1);
  const pictor::Status s = pictor::aws::ReadTaskProtectionReply(status, body);
  if (s.ok()) {
    FUZZ_CHECK(status == 200);
    return 0;
  }
  FUZZ_CHECK(status == 403 ? s.code() == pictor::StatusCode::kPermissionDenied
                           : s.code() == pictor::StatusCode::kUnavailable);
  FUZZ_CHECK(s.message().size() <= 400);
  for (unsigned char c : s.message()) FUZZ_CHECK(c >= 0x20 && c < 0x7f);
  return 0;
}
