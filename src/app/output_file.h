// Writing a file the user named (`pictor generate -o PATH`, `serve --port-file PATH`): whole or
// not at all, and never through or over something that is not a regular file.
#ifndef PICTOR_APP_OUTPUT_FILE_H_
#define PICTOR_APP_OUTPUT_FILE_H_

#include <string>
#include <string_view>

#include "pictor/status.h"

namespace pictor::app {

// OK when `path` is free or holds a regular file (which writing it will replace);
// FailedPrecondition, with a message naming `path` and what is there, when it is a directory,
// a symbolic link, a FIFO, a device or a socket. Never opens `path`, so a FIFO cannot block it.
Status CheckReplaceable(const std::string& path);

// Writes `data` to `path` atomically: a new temporary file beside it (core/temp_file.h: a random
// name created with O_EXCL | O_NOFOLLOW, so nothing planted there is opened), synced, then
// renamed over `path`, and the directory synced. Refuses what CheckReplaceable refuses. A
// failure leaves `path` as it was and removes the temporary file. Messages name `path` (the
// user's own) and the system's reason.
Status WriteFileAtomically(const std::string& path, std::string_view data);

}  // namespace pictor::app

#endif  // PICTOR_APP_OUTPUT_FILE_H_
