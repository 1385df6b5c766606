// Conditional GET: whether an If-None-Match field list matches a resource's entity tag.
#ifndef PICTOR_HTTP_ENTITY_TAG_H_
#define PICTOR_HTTP_ENTITY_TAG_H_

#include <string_view>
#include <vector>

namespace pictor::http {

// RFC 9110 13.1.2: true when any of the If-None-Match field values `fields` is "*" or lists an
// entity tag that weakly matches `etag` (W/"x" matches "x" and W/"x"). `etag` is the resource's
// tag as sent in ETag; an unquoted one is taken as its opaque value. A malformed list matches
// up to the first malformed member: the request then gets the full response, never a wrong 304.
bool IfNoneMatchHits(const std::vector<std::string_view>& fields, std::string_view etag);

}  // namespace pictor::http

#endif  // PICTOR_HTTP_ENTITY_TAG_H_
