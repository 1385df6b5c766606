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
Result<std::unique_ptr<ObjectStore>> OpenFileStore(const std::string& root);

}  // namespace pictor

#endif  // PICTOR_STORE_FILE_FILE_STORE_H_
