#include "core/job_cursor.h"

#include <charconv>
#include <utility>

#include "core/base64.h"

namespace pictor {
namespace {

constexpr std::string_view kVersion = "j1.";
constexpr size_t kMaxIdLength = 255;

Status BadCursor() {
  return Status::InvalidArgument(
      "cursor is not one this server gave out: pass next_cursor from an earlier page as it is",
      "invalid_cursor");
}

bool IsVisibleAscii(std::string_view text) {
  for (unsigned char c : text) {
    if (c < 0x21 || c > 0x7E) return false;
  }
  return true;
}

}  // namespace

std::string EncodeJobCursor(int64_t created_ms, std::string_view id) {
  std::string text = Base64Encode(std::to_string(created_ms) + ":" + std::string(id));
  // base64url without padding: the cursor travels in a query string.
  std::string out(kVersion);
  for (char c : text) {
    if (c == '=') break;
    out += c == '+' ? '-' : c == '/' ? '_' : c;
  }
  return out;
}

Result<JobCursor> DecodeJobCursor(std::string_view text) {
  if (!text.starts_with(kVersion) || text.size() > 512) return BadCursor();
  std::string standard;
  for (char c : text.substr(kVersion.size())) {
    if (c == '+' || c == '/') return BadCursor();  // not base64url
    standard += c == '-' ? '+' : c == '_' ? '/' : c;
  }
  std::optional<std::string> plain = Base64Decode(standard, Base64Padding::kStrict);
  if (!plain || plain->find('=') != std::string::npos) return BadCursor();
  const size_t colon = plain->find(':');
  if (colon == std::string::npos || colon == 0) return BadCursor();
  JobCursor cursor;
  std::string_view ms(plain->data(), colon);
  if (ms.size() > 1 && ms.front() == '0') return BadCursor();
  auto [end, error] = std::from_chars(ms.data(), ms.data() + ms.size(), cursor.created_ms);
  if (error != std::errc() || end != ms.data() + ms.size()) return BadCursor();
  cursor.id = plain->substr(colon + 1);
  if (cursor.id.empty() || cursor.id.size() > kMaxIdLength || !IsVisibleAscii(cursor.id)) {
    return BadCursor();
  }
  return cursor;
}

bool IsAfterCursor(const JobCursor& cursor, int64_t created_ms, std::string_view id) {
  return created_ms < cursor.created_ms ||
         (created_ms == cursor.created_ms && id > std::string_view(cursor.id));
}

bool ListedBefore(const JobRecord& a, const JobRecord& b) {
  if (a.created_ms != b.created_ms) return a.created_ms > b.created_ms;
  return a.id < b.id;
}

Result<std::optional<JobCursor>> CheckJobQuery(const JobQuery& query) {
  if (query.limit < 1 || query.limit > kMaxJobListLimit) {
    return Status::InvalidArgument("limit must be 1 to " + std::to_string(kMaxJobListLimit) +
                                       ", not " + std::to_string(query.limit),
                                   "invalid_limit");
  }
  if (query.cursor.empty()) return std::optional<JobCursor>();
  Result<JobCursor> cursor = DecodeJobCursor(query.cursor);
  if (!cursor.ok()) return cursor.status();
  return std::optional<JobCursor>(std::move(cursor).value());
}

}  // namespace pictor
