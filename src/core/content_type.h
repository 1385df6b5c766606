// The media type of an object named by its key alone, for objects stored without one.
//
// Both object stores answer with it when a Put gave no content type, and the file store also when
// an object's extended attributes are gone (a copy by a tool that drops them), so a PNG served
// back is always image/png whichever store holds it.
#ifndef PICTOR_CORE_CONTENT_TYPE_H_
#define PICTOR_CORE_CONTENT_TYPE_H_

#include <string_view>

namespace pictor {

// "image/png" for a key ending in ".png", "application/json" for ".json" (ledger records),
// "application/octet-stream" for anything else. The suffix must match exactly (".PNG" is not
// one of Pictor's keys).
std::string_view ContentTypeForKey(std::string_view key);

}  // namespace pictor

#endif  // PICTOR_CORE_CONTENT_TYPE_H_
