// What the S3 store reads from replies besides the XML itself (src/store/s3/s3_listing): a
// ListObjectsV2 page and S3's two date formats. The input is the listing document, and also,
// as it is, a date in each format.
// Invariants: a page marked truncated has a continuation token; every object has a key; a date
// that was read, written again in the same format and read back gives the same instant.
#include <array>
#include <chrono>
#include <cstdio>
#include <string>

#include "fuzz_check.h"
#include "store/s3/s3_listing.h"

namespace {

using namespace std::chrono;

struct Fields {
  year_month_day date;
  int64_t hour, minute, second, millis;
  unsigned weekday;
};

Fields Split(int64_t ms) {
  sys_days day = floor<days>(sys_time<milliseconds>(milliseconds(ms)));
  int64_t in_day = ms - duration_cast<milliseconds>(day.time_since_epoch()).count();
  return {year_month_day(day), in_day / 3'600'000, in_day / 60'000 % 60,
          in_day / 1000 % 60,  in_day % 1000,      weekday(day).c_encoding()};
}

std::string Iso(int64_t ms) {
  Fields f = Split(ms);
  char out[64];
  std::snprintf(out, sizeof out, "%04d-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                static_cast<int>(f.date.year()), static_cast<unsigned>(f.date.month()),
                static_cast<unsigned>(f.date.day()), static_cast<long long>(f.hour),
                static_cast<long long>(f.minute), static_cast<long long>(f.second),
                static_cast<long long>(f.millis));
  return out;
}

std::string HttpDate(int64_t ms) {
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  Fields f = Split(ms);
  char out[64];
  std::snprintf(out, sizeof out, "%s, %02u %s %04d %02lld:%02lld:%02lld GMT", kDays[f.weekday],
                static_cast<unsigned>(f.date.day()),
                kMonths[static_cast<unsigned>(f.date.month()) - 1], static_cast<int>(f.date.year()),
                static_cast<long long>(f.hour), static_cast<long long>(f.minute),
                static_cast<long long>(f.second));
  return out;
}

// Years 0000-9999 are all the fixed-width formats can hold.
constexpr int64_t kYear10000Ms = 253402300800000;
constexpr int64_t kYear0Ms = -62167219200000;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = pictor::fuzz::AsText(data, size);
  pictor::Result<pictor::s3::ListPage> page = pictor::s3::ParseListObjectsV2(text);
  if (page.ok()) {
    FUZZ_CHECK(!page->truncated || !page->next_token.empty());
    for (const pictor::ObjectInfo& object : page->objects) FUZZ_CHECK(!object.key.empty());
  } else {
    FUZZ_CHECK(page.status().code() == pictor::StatusCode::kInternal);
  }

  if (std::optional<int64_t> ms = pictor::s3::ParseIsoTimeMs(text)) {
    FUZZ_CHECK(*ms >= kYear0Ms && *ms < kYear10000Ms + 1000);
    if (*ms < kYear10000Ms) FUZZ_CHECK(pictor::s3::ParseIsoTimeMs(Iso(*ms)) == *ms);
  }
  if (std::optional<int64_t> ms = pictor::s3::ParseHttpDateMs(text)) {
    FUZZ_CHECK(*ms >= kYear0Ms && *ms < kYear10000Ms + 1000);
    FUZZ_CHECK(*ms % 1000 == 0);
    if (*ms < kYear10000Ms) FUZZ_CHECK(pictor::s3::ParseHttpDateMs(HttpDate(*ms)) == *ms);
  }
  return 0;
}
