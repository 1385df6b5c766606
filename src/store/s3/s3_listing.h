// What the S3 store reads from replies: one ListObjectsV2 page, and the two date formats S3
// uses (ISO 8601 in listings, RFC 7231 in Last-Modified headers).
//
// Pure functions, thread-safe. A reply that cannot be read is an Internal status.
#ifndef PICTOR_STORE_S3_S3_LISTING_H_
#define PICTOR_STORE_S3_S3_LISTING_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pictor/object_store.h"
#include "pictor/status.h"

namespace pictor::s3 {

struct ListPage {
  std::vector<ObjectInfo> objects;  // keys as S3 holds them (the store's prefix included)
  bool truncated = false;
  std::string next_token;  // NextContinuationToken; set when truncated
};

// Reads a ListBucketResult document. Content types are not in listings: they stay empty.
Result<ListPage> ParseListObjectsV2(std::string_view xml);

// "2026-11-27T05:51:54.638Z" (fraction optional) to Unix epoch milliseconds.
std::optional<int64_t> ParseIsoTimeMs(std::string_view text);

// "Fri, 27 Nov 2026 05:51:54 GMT" to Unix epoch milliseconds.
std::optional<int64_t> ParseHttpDateMs(std::string_view text);

}  // namespace pictor::s3

#endif  // PICTOR_STORE_S3_S3_LISTING_H_
