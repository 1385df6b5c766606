// The one JSON reader for text from outside (request bodies, queue messages, stored job records):
// nlohmann::json's parser, plus the rule that a JSON object may not name a key twice. RFC 8259
// leaves duplicate names to the reader and most keep the last; a body {"prompt":"a","prompt":"b"}
// would then mean different things to Pictor and to whatever inspected it before (a proxy, a
// filter, a log), so it is refused, at every nesting level.
//
// Pure function, thread-safe.
#ifndef PICTOR_CORE_STRICT_JSON_H_
#define PICTOR_CORE_STRICT_JSON_H_

#include <nlohmann/json_fwd.hpp>

#include <string_view>

#include "pictor/status.h"

namespace pictor {

// Parses `text` into `*out`. InvalidArgument with reason "malformed_json" when it is not JSON,
// or "duplicate_key" with a message naming the key (at most 64 characters of it) when an object
// holds a name twice. Never throws.
Status ParseStrictJson(std::string_view text, nlohmann::json* out);

}  // namespace pictor

#endif  // PICTOR_CORE_STRICT_JSON_H_
