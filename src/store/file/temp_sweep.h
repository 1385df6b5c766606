// Removing the temporary files a crash left in the file store.
#ifndef PICTOR_STORE_FILE_TEMP_SWEEP_H_
#define PICTOR_STORE_FILE_TEMP_SWEEP_H_

#include <chrono>
#include <cstddef>
#include <string>

namespace pictor::filestore {

// How old a temporary file must be before a sweep removes it. Several processes may share one
// store, and another process may be writing a temporary file this very moment: only a file no
// write has touched for this long is certainly abandoned (a Put takes milliseconds).
inline constexpr std::chrono::seconds kStaleTempAge{3600};

// Removes every regular file named like a temporary file (core/temp_file.h) under `root` whose
// modification time is older than `max_age`, without following links. Errors are logged and
// skipped: the sweep is housekeeping, never a reason not to start. Returns how many it removed.
size_t SweepStaleTempFiles(const std::string& root, std::chrono::seconds max_age);

}  // namespace pictor::filestore

#endif  // PICTOR_STORE_FILE_TEMP_SWEEP_H_
