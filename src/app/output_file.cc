#include "app/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/temp_file.h"

namespace pictor::app {
namespace {

// What is at a path, in words, for a refusal.
const char* Kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISLNK(mode)) return "a symbolic link";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

Status Failed(const std::string& path, const char* what, int err) {
  return Status::Unavailable("cannot write " + path + ": " + what + ": " + std::strerror(err));
}

// `path`'s directory ("." for a bare name) and its last component.
void Split(const std::string& path, std::string* dir, std::string* name) {
  // Built from substrings and single characters: g++ 12 at -O3 warns falsely about assigning
  // a literal here (GCC bug 105329).
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) {
    dir->assign(1, '.');
    *name = path;
  } else {
    *dir = path.substr(0, std::max<size_t>(slash, 1));
    *name = path.substr(slash + 1);
  }
}

Status CheckAt(int dir_fd, const std::string& name, const std::string& path) {
  struct stat st {};
  if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return Failed(path, "looking at it", errno);
  }
  if (S_ISREG(st.st_mode)) return Status::Ok();
  return Status::FailedPrecondition(path + " is " + Kind(st.st_mode) +
                                    ", not a regular file; refusing to replace it");
}

// Opens `path`'s directory into `dir_fd`, sets `name` to its last component, and checks that
// what is there now (if anything) may be replaced.
Status OpenParentAndCheck(const std::string& path, UniqueFd* dir_fd, std::string* name) {
  std::string dir;
  Split(path, &dir, name);
  if (name->empty()) return Status::FailedPrecondition(path + " names a directory, not a file");
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const int err = errno;
  *dir_fd = UniqueFd(fd);
  if (fd < 0) return Failed(path, "opening its directory", err);
  return CheckAt(dir_fd->get(), *name, path);
}

}  // namespace

Status CheckReplaceable(const std::string& path) {
  UniqueFd dir_fd;
  std::string name;
  return OpenParentAndCheck(path, &dir_fd, &name);
}

Status WriteFileAtomically(const std::string& path, std::string_view data) {
  UniqueFd dir_fd;
  std::string name;
  if (Status s = OpenParentAndCheck(path, &dir_fd, &name); !s.ok()) return s;

  std::string temp;
  UniqueFd fd(CreateTempFileAt(dir_fd.get(), 0644, &temp));
  if (!fd.valid()) return Failed(path, "creating a temporary file beside it", errno);
  auto fail = [&](const char* what) {
    const int err = errno;
    ::unlinkat(dir_fd.get(), temp.c_str(), 0);
    return Failed(path, what, err);
  };
  while (!data.empty()) {
    ssize_t n = ::write(fd.get(), data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return fail("writing");
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  if (::fsync(fd.get()) != 0) return fail("syncing");
  // Checked again just before: the window between this and the rename is the only one left,
  // and rename replaces a name without opening or following what is there.
  if (Status s = CheckAt(dir_fd.get(), name, path); !s.ok()) {
    ::unlinkat(dir_fd.get(), temp.c_str(), 0);
    return s;
  }
  if (::renameat(dir_fd.get(), temp.c_str(), dir_fd.get(), name.c_str()) != 0) {
    return fail("renaming into place");
  }
  if (::fsync(dir_fd.get()) != 0) return Failed(path, "syncing its directory", errno);
  return Status::Ok();
}

}  // namespace pictor::app
