// Identifiers for requests and jobs.
#ifndef PICTOR_CORE_IDS_H_
#define PICTOR_CORE_IDS_H_

#include <cstdint>
#include <string>

namespace pictor {

// A random UUID version 4 in its canonical lower-case form. Thread-safe.
std::string NewUuid();

// A UUID version 7 (RFC 9562) in canonical form: 48 bits of Unix epoch milliseconds, then 74
// random bits. Ids made in a later millisecond sort after earlier ones (as text too), so an index
// keyed by them grows at its end instead of touching a random page per insert. Thread-safe.
std::string NewTimeOrderedUuid(int64_t epoch_ms);

// A uniformly random integer in [0, bound]. Thread-safe.
uint64_t RandomUpTo(uint64_t bound);

// "2026-11-27T05:10:47.123Z" for Unix epoch milliseconds.
std::string FormatIso8601(int64_t epoch_ms);

}  // namespace pictor

#endif  // PICTOR_CORE_IDS_H_
