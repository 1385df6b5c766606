// The cursor of JobLedger::List: a position in its order (created_ms descending, then id
// ascending), written as "j1." + unpadded base64url of "<created_ms>:<id>". Every ledger writes
// and reads the same text, so the checks on a client's cursor live here once. The text is opaque
// to clients; its "j1." says which layout this is, so a later one can be told apart.
//
// Pure functions, thread-safe.
#ifndef PICTOR_CORE_JOB_CURSOR_H_
#define PICTOR_CORE_JOB_CURSOR_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pictor/job_ledger.h"
#include "pictor/status.h"

namespace pictor {

struct JobCursor {
  int64_t created_ms = 0;
  std::string id;  // 1..255 visible ASCII characters
};

// The cursor of the page that ends with the job (created_ms, id).
std::string EncodeJobCursor(int64_t created_ms, std::string_view id);

// InvalidArgument (reason "invalid_cursor") for text EncodeJobCursor did not write.
Result<JobCursor> DecodeJobCursor(std::string_view text);

// True when the job (created_ms, id) sorts after `cursor` in List's order: it belongs to a page
// that starts there.
bool IsAfterCursor(const JobCursor& cursor, int64_t created_ms, std::string_view id);

// List's order: true when `a` is listed before `b`.
bool ListedBefore(const JobRecord& a, const JobRecord& b);

// Checks a query's limit (reason "invalid_limit") and cursor; the decoded cursor, or nullopt for
// a query from the newest job.
Result<std::optional<JobCursor>> CheckJobQuery(const JobQuery& query);

}  // namespace pictor

#endif  // PICTOR_CORE_JOB_CURSOR_H_
