#include "store/file/key_path.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

namespace pictor::filestore {
namespace {

// "No space left on device" -> "no space left on device", to read inside a sentence.
std::string ErrnoText(int err) {
  std::string text = std::strerror(err);
  const bool acronym = text.size() > 1 && text[1] >= 'A' && text[1] <= 'Z';
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z' && !acronym) {
    text[0] = static_cast<char>(text[0] - 'A' + 'a');
  }
  return text;
}

bool IsLink(int dir_fd, const std::string& name) {
  struct stat st {};
  return ::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
}

}  // namespace

Status FromErrno(int err, Access access, std::string_view detail) {
  const char* verb = access == Access::kWrite ? "written" : "read";
  const std::string msg = std::string("the image store cannot be ") + verb + ": " + ErrnoText(err);
  switch (err) {
    case ENOENT:
      return Status::NotFound("no such object");
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
    case EMFILE:
    case ENFILE:
      spdlog::error("file store: {}: {}", detail, std::strerror(err));
      return Status::ResourceExhausted(msg);
    case EACCES:
    case EPERM:
    case EROFS:
    case ENOTDIR:
    case EISDIR:
    case ENOTEMPTY:
    case ELOOP:
    case EIO:
    case EAGAIN:
    case EINTR:
    case ESTALE:
    case ENOMEM:
      spdlog::error("file store: {}: {}", detail, std::strerror(err));
      return Status::Unavailable(msg);
    default:
      spdlog::error("file store: {}: {}", detail, std::strerror(err));
      return Status::Internal(msg);
  }
}

void LogRefusedLink(std::string_view path) {
  spdlog::warn("file store: {} is a symbolic link; links inside the store are never followed",
               path);
}

Result<UniqueFd> OpenRoot(const std::string& root, Access access) {
  UniqueFd fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.valid()) return fd;
  const int err = errno;
  if (err == ENOENT) {
    spdlog::error("file store: the store's directory {} is missing", root);
    return Status::Unavailable(std::string("the image store cannot be ") +
                               (access == Access::kWrite ? "written" : "read") +
                               ": its directory is missing");
  }
  return FromErrno(err, access, "opening the store's directory " + root);
}

Result<KeyDir> OpenKeyDir(const std::string& root, std::string_view key, Access access) {
  // A segment longer than a file name can be is a key this store cannot hold, not a fault.
  for (size_t start = 0; start <= key.size();) {
    size_t end = std::min(key.find('/', start), key.size());
    if (end - start > NAME_MAX) {
      if (access == Access::kRead) return Status::NotFound("no such object");
      return Status::InvalidArgument("object key has a segment longer than " +
                                         std::to_string(NAME_MAX) +
                                         " bytes, which the file store cannot hold",
                                     "invalid_key");
    }
    start = end + 1;
  }
  auto opened = OpenRoot(root, access);
  if (!opened.ok()) return opened.status();
  UniqueFd dir = std::move(opened).value();
  std::string path = root;  // for the log only
  size_t start = 0;
  for (size_t slash = key.find('/'); slash != std::string_view::npos;
       start = slash + 1, slash = key.find('/', start)) {
    const std::string segment(key.substr(start, slash - start));
    path += "/" + segment;
    int fd = ::openat(dir.get(), segment.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && access == Access::kWrite) {
      // Another writer may create it at the same moment: EEXIST is success.
      if (::mkdirat(dir.get(), segment.c_str(), 0755) != 0 && errno != EEXIST) {
        return FromErrno(errno, access, "creating directory " + path);
      }
      fd = ::openat(dir.get(), segment.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0) {
      const int err = errno;
      // O_NOFOLLOW | O_DIRECTORY answers ENOTDIR (or ELOOP) for a link: tell the two apart.
      if ((err == ENOTDIR || err == ELOOP) && IsLink(dir.get(), segment)) {
        LogRefusedLink(path);
        if (access == Access::kRead) return Status::NotFound("no such object");
        return Status::Unavailable(
            "the image store cannot be written: a symbolic link is in the way");
      }
      if (access == Access::kRead && (err == ENOENT || err == ENOTDIR)) {
        return Status::NotFound("no such object");
      }
      return FromErrno(err, access, "opening directory " + path);
    }
    dir = UniqueFd(fd);
  }
  return KeyDir{std::move(dir), std::string(key.substr(start))};
}

}  // namespace pictor::filestore
