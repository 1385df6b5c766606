// The ObjectStore on a local directory: one file per key, written atomically.
#ifndef PICTOR_STORE_FILE_FILE_STORE_H_
#define PICTOR_STORE_FILE_FILE_STORE_H_

#include <memory>
#include <string>

#include "pictor/object_store.h"
#include "pictor/status.h"

namespace pictor {

// Opens the store rooted at `root` (created when missing). Keys map to paths under it; the
// content type and ETag are kept in extended attributes where the filesystem has them.
// PutIfAbsent relies on hard links (link(2)), which local POSIX filesystems have; processes on
// one machine may share the directory. (Over NFS a retransmitted link can report EEXIST for
// its own success, so a shared network directory is not a safe place for PutIfAbsent.)
Result<std::unique_ptr<ObjectStore>> OpenFileStore(const std::string& root);

}  // namespace pictor

#endif  // PICTOR_STORE_FILE_FILE_STORE_H_
