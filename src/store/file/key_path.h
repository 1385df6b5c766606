// How the file store reaches the file of a key: from the root, one directory at a time, never
// through a symbolic link; and how its errno values become Status values.
//
// Links inside the store are refused because the store must only ever serve what it stored:
// a link `generated_images/x.png -> /etc/shadow` (or a linked directory on the way) would
// otherwise make any file the server can read downloadable. The root itself may be a link:
// it is the operator's choice, given on the command line.
#ifndef PICTOR_STORE_FILE_KEY_PATH_H_
#define PICTOR_STORE_FILE_KEY_PATH_H_

#include <string>
#include <string_view>

#include "core/temp_file.h"
#include "pictor/status.h"

namespace pictor::filestore {

enum class Access { kRead, kWrite };

// The one place errno values become Status values. A fault of the store's own storage
// (permissions, read-only or full filesystem, a file where a directory should be, I/O errors,
// descriptor limits) is retryable: Unavailable, or ResourceExhausted for the ones that last
// minutes (ENOSPC, EDQUOT, EFBIG, EMFILE, ENFILE). The message says what failed in words and
// names no server path; `detail` (path and operation) goes to the log with the errno text.
Status FromErrno(int err, Access access, std::string_view detail);

// A key's directory, open, and the last segment of the key (the file's name in it).
struct KeyDir {
  UniqueFd dir;
  std::string leaf;
};

// Opens the directory holding `key` under `root` (the key must be valid). Every segment is
// opened with O_NOFOLLOW | O_DIRECTORY relative to the one before; with kWrite, missing
// directories are created. NotFound (kRead only) when a directory on the way is missing, is not
// a directory, or is a symbolic link; with kWrite those are store faults (Unavailable). A link
// is logged either way.
Result<KeyDir> OpenKeyDir(const std::string& root, std::string_view key, Access access);

// Opens the store's root directory. Unavailable when it is missing or not a directory.
Result<UniqueFd> OpenRoot(const std::string& root, Access access);

// Logs that `path` (for people) is a symbolic link inside the store and was not followed.
void LogRefusedLink(std::string_view path);

}  // namespace pictor::filestore

#endif  // PICTOR_STORE_FILE_KEY_PATH_H_
