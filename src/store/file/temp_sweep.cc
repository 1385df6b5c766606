#include "store/file/temp_sweep.h"

#include <dirent.h>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "core/temp_file.h"

namespace pictor::filestore {
namespace {

// Walks the directory open as `dir_fd` (owned: closed here) and those below it. One readdir
// pass; only temporary files and directories are looked at more closely, so a store of a
// million images costs a directory read, not a million stats.
size_t SweepDirectory(int dir_fd, const std::string& path, time_t cutoff) {
  DIR* dir = ::fdopendir(dir_fd);
  if (dir == nullptr) {
    spdlog::warn("file store: cannot read {} to sweep temporary files: {}", path,
                 std::strerror(errno));
    ::close(dir_fd);
    return 0;
  }
  size_t removed = 0;
  while (dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    unsigned char type = entry->d_type;
    struct stat st {};
    if (type == DT_UNKNOWN || IsTempFileName(name)) {
      if (::fstatat(::dirfd(dir), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
    }
    if (type == DT_DIR) {
      int sub =
          ::openat(::dirfd(dir), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub >= 0) removed += SweepDirectory(sub, path + "/" + name, cutoff);
      continue;
    }
    if (type != DT_REG || !IsTempFileName(name) || st.st_mtim.tv_sec >= cutoff) continue;
    if (::unlinkat(::dirfd(dir), name.c_str(), 0) == 0) {
      ++removed;
    } else if (errno != ENOENT) {  // another process swept it first
      spdlog::warn("file store: cannot remove stale temporary file {}/{}: {}", path, name,
                   std::strerror(errno));
    }
  }
  ::closedir(dir);
  return removed;
}

}  // namespace

size_t SweepStaleTempFiles(const std::string& root, std::chrono::seconds max_age) {
  int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    spdlog::warn("file store: cannot open {} to sweep temporary files: {}", root,
                 std::strerror(errno));
    return 0;
  }
  const time_t cutoff = std::time(nullptr) - static_cast<time_t>(max_age.count());
  size_t removed = SweepDirectory(fd, root, cutoff);
  if (removed > 0) {
    spdlog::info("file store: removed {} temporary files older than {} s left by a crash under {}",
                 removed, max_age.count(), root);
  }
  return removed;
}

}  // namespace pictor::filestore
