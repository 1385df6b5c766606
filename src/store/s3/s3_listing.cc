// ListObjectsV2 pages and S3's date formats.
#include "store/s3/s3_listing.h"

#include <array>
#include <charconv>
#include <chrono>

#include "store/s3/s3_xml.h"

namespace pictor::s3 {
namespace {

// Reads exactly `width` decimal digits at `pos`.
bool ReadNumber(std::string_view text, size_t pos, size_t width, int& out) {
  if (pos + width > text.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + width; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

std::optional<int64_t> ToEpochMs(int year, int month, int day, int hour, int minute, int second,
                                 int millis) {
  using namespace std::chrono;
  year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                      std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  int64_t days = sys_days(date).time_since_epoch().count();
  return ((days * 24 + hour) * 60 + minute) * 60'000 + int64_t{second} * 1000 + millis;
}

}  // namespace

std::optional<int64_t> ParseIsoTimeMs(std::string_view text) {
  int year, month, day, hour, minute, second;
  if (text.size() < 20 || !ReadNumber(text, 0, 4, year) || text[4] != '-' ||
      !ReadNumber(text, 5, 2, month) || text[7] != '-' || !ReadNumber(text, 8, 2, day) ||
      text[10] != 'T' || !ReadNumber(text, 11, 2, hour) || text[13] != ':' ||
      !ReadNumber(text, 14, 2, minute) || text[16] != ':' || !ReadNumber(text, 17, 2, second)) {
    return std::nullopt;
  }
  size_t pos = 19;
  int millis = 0;
  if (text[pos] == '.') {
    ++pos;
    int scale = 100;
    size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      millis += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  if (text.substr(pos) != "Z" && text.substr(pos) != "+00:00") return std::nullopt;
  return ToEpochMs(year, month, day, hour, minute, second, millis);
}

std::optional<int64_t> ParseHttpDateMs(std::string_view text) {
  // "Fri, 27 Nov 2026 05:51:54 GMT": fixed width after the day name.
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  size_t comma = text.find(", ");
  if (comma == std::string_view::npos) return std::nullopt;
  std::string_view rest = text.substr(comma + 2);
  int day, year, hour, minute, second;
  if (rest.size() != 24 || !ReadNumber(rest, 0, 2, day) || rest[2] != ' ' || rest[6] != ' ' ||
      !ReadNumber(rest, 7, 4, year) || rest[11] != ' ' || !ReadNumber(rest, 12, 2, hour) ||
      rest[14] != ':' || !ReadNumber(rest, 15, 2, minute) || rest[17] != ':' ||
      !ReadNumber(rest, 18, 2, second) || rest.substr(20) != " GMT") {
    return std::nullopt;
  }
  std::string_view month_name = rest.substr(3, 3);
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (kMonths[i] == month_name) {
      return ToEpochMs(year, static_cast<int>(i) + 1, day, hour, minute, second, 0);
    }
  }
  return std::nullopt;
}

Result<ListPage> ParseListObjectsV2(std::string_view xml) {
  Result<XmlElement> root = ParseXml(xml);
  if (!root.ok()) return root.status();
  if (root->name != "ListBucketResult") {
    return Status::Internal("S3 listing reply is a <" + root->name + ">, not a ListBucketResult");
  }
  ListPage page;
  page.truncated = root->ChildText("IsTruncated") == "true";
  page.next_token = root->ChildText("NextContinuationToken");
  if (page.truncated && page.next_token.empty()) {
    return Status::Internal("S3 listing is truncated but has no NextContinuationToken");
  }
  for (const XmlElement& entry : root->children) {
    if (entry.name != "Contents") continue;
    ObjectInfo info;
    info.key = entry.ChildText("Key");
    if (info.key.empty()) return Status::Internal("S3 listing has an entry without a Key");
    std::string size = entry.ChildText("Size");
    auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), info.size);
    if (ec != std::errc() || end != size.data() + size.size()) {
      return Status::Internal("S3 listing has an unreadable Size for '" + info.key + "'");
    }
    info.etag = entry.ChildText("ETag");
    if (std::optional<int64_t> ms = ParseIsoTimeMs(entry.ChildText("LastModified"))) {
      info.last_modified_ms = *ms;
    }
    page.objects.push_back(std::move(info));
  }
  return page;
}

}  // namespace pictor::s3
