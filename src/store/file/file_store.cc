#include "store/file/file_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "core/content_type.h"
#include "core/digest.h"
#include "core/temp_file.h"
#include "store/file/key_path.h"
#include "store/file/temp_sweep.h"

namespace pictor {
namespace {

namespace fs = std::filesystem;
using filestore::Access;
using filestore::FromErrno;
using filestore::KeyDir;
using filestore::OpenKeyDir;

constexpr const char* kTypeAttr = "user.pictor.content_type";
constexpr const char* kEtagAttr = "user.pictor.etag";
constexpr int kOpenObject = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;

std::string ReadAttr(int fd, const char* name) {
  char buf[256];
  ssize_t n = fgetxattr(fd, name, buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

ObjectInfo InfoFor(std::string key, int fd, const struct stat& st) {
  ObjectInfo info;
  info.size = static_cast<uint64_t>(st.st_size);
  info.last_modified_ms =
      static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
  info.content_type = ReadAttr(fd, kTypeAttr);
  if (info.content_type.empty()) info.content_type = ContentTypeForKey(key);
  std::string etag = ReadAttr(fd, kEtagAttr);
  if (etag.empty()) {
    etag = std::to_string(st.st_size) + "-" + std::to_string(st.st_mtim.tv_sec) + "." +
           std::to_string(st.st_mtim.tv_nsec);
  }
  info.etag = "\"" + etag + "\"";
  info.key = std::move(key);
  return info;
}

Status WriteAll(int fd, std::string_view data, const std::string& detail) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return FromErrno(errno, Access::kWrite, "writing " + detail);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

// An object's file, open for reading, and what fstat said of it.
struct OpenObject {
  UniqueFd fd;
  struct stat st {};
};

// Thread-safe: it keeps no state but the root's path; every call opens what it needs.
class FileStore final : public ObjectStore {
 public:
  explicit FileStore(std::string root) : root_(std::move(root)) {}

  Status Put(std::string_view key, std::string_view data, std::string_view content_type) override {
    std::string temp;
    auto dir = WriteTemp(key, data, content_type, &temp);
    if (!dir.ok()) return dir.status();
    // renameat(2) replaces the target atomically (a link there is replaced, not followed):
    // readers see the old object or the new one, never a torn write.
    if (::renameat(dir->dir.get(), temp.c_str(), dir->dir.get(), dir->leaf.c_str()) != 0) {
      Status st = FromErrno(errno, Access::kWrite, "renaming into place " + PathOf(key));
      ::unlinkat(dir->dir.get(), temp.c_str(), 0);
      return st;
    }
    return SyncDirectory(dir->dir.get(), key);
  }

  Status PutIfAbsent(std::string_view key, std::string_view data,
                     std::string_view content_type) override {
    std::string temp;
    auto dir = WriteTemp(key, data, content_type, &temp);
    if (!dir.ok()) return dir.status();
    // linkat(2), unlike rename, never replaces its target: it fails with EEXIST, atomically,
    // when any name is there, so of several processes racing for one key exactly one wins. The
    // file it links is already complete and synced, so nobody sees a partial object.
    int rc = ::linkat(dir->dir.get(), temp.c_str(), dir->dir.get(), dir->leaf.c_str(), 0);
    int err = errno;
    ::unlinkat(dir->dir.get(), temp.c_str(), 0);
    if (rc != 0) {
      if (err == EEXIST) return Status::AlreadyExists("an object exists at " + std::string(key));
      return FromErrno(err, Access::kWrite, "linking into place " + PathOf(key));
    }
    // Makes both the new name and the temporary's removal durable.
    return SyncDirectory(dir->dir.get(), key);
  }

  Status Delete(std::string_view key) override {
    if (Status s = ValidateObjectKey(key); !s.ok()) return s;
    auto dir = OpenKeyDir(root_, key, Access::kRead);
    if (!dir.ok()) return dir.status().IsNotFound() ? Status::Ok() : dir.status();
    // unlinkat removes a link itself, never what it points to.
    if (::unlinkat(dir->dir.get(), dir->leaf.c_str(), 0) != 0) {
      // Already gone, or a directory has the key's name (so no object has it).
      if (errno == ENOENT || errno == EISDIR) return Status::Ok();
      return FromErrno(errno, Access::kWrite, "deleting " + PathOf(key));
    }
    // Empty parent directories stay: removing them would race with a Put creating a file there.
    return SyncDirectory(dir->dir.get(), key);
  }

  Result<StoredObject> Get(std::string_view key) override {
    auto object = Open(key);
    if (!object.ok()) return object.status();
    StoredObject out;
    out.info = InfoFor(std::string(key), object->fd.get(), object->st);
    out.data.resize(out.info.size);
    size_t done = 0;
    while (done < out.data.size()) {
      ssize_t n = ::read(object->fd.get(), out.data.data() + done, out.data.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return FromErrno(n < 0 ? errno : EIO, Access::kRead, "reading " + PathOf(key));
      done += static_cast<size_t>(n);
    }
    return out;
  }

  Result<ObjectInfo> Head(std::string_view key) override {
    auto object = Open(key);
    if (!object.ok()) return object.status();
    return InfoFor(std::string(key), object->fd.get(), object->st);
  }

  Result<std::vector<ObjectInfo>> List(std::string_view prefix, size_t max_keys) override {
    return ListAfter(prefix, "", max_keys);
  }

  // The directory is read whole and sorted either way: a file store's listing is local.
  Result<std::vector<ObjectInfo>> ListAfter(std::string_view prefix, std::string_view start_after,
                                            size_t max_keys) override {
    std::vector<ObjectInfo> out;
    // Only walk the deepest directory the prefix names completely.
    const size_t slash = prefix.rfind('/');
    const std::string dir_key =
        slash == std::string_view::npos ? std::string() : std::string(prefix.substr(0, slash + 1));
    UniqueFd start;
    if (dir_key.empty()) {
      auto root = filestore::OpenRoot(root_, Access::kRead);
      if (!root.ok()) return root.status();
      start = std::move(root).value();
    } else {
      // "a/b/" names directory "a/b": open it as the directory of a key "a/b/x".
      if (ValidateObjectKey(dir_key + "x").ok()) {
        auto dir = OpenKeyDir(root_, dir_key + "x", Access::kRead);
        if (!dir.ok()) {
          if (dir.status().IsNotFound()) return out;
          return dir.status();
        }
        start = std::move(dir->dir);
      } else {
        return out;  // no valid key starts with this prefix's directories
      }
    }
    if (Status s = ListDirectory(std::move(start), dir_key, prefix, &out); !s.ok()) return s;
    std::sort(out.begin(), out.end(),
              [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
    if (!start_after.empty()) {
      auto first = std::upper_bound(
          out.begin(), out.end(), start_after,
          [](std::string_view after, const ObjectInfo& info) { return after < info.key; });
      out.erase(out.begin(), first);
    }
    if (out.size() > max_keys) out.resize(max_keys);
    return out;
  }

  std::string Location(std::string_view key) const override { return PathOf(key); }

 private:
  std::string PathOf(std::string_view key) const { return root_ + "/" + std::string(key); }

  // The object's file, open, after checking it is a regular file reached without a link.
  // NotFound for anything else: a missing file, a directory, a FIFO, a device, a link.
  Result<OpenObject> Open(std::string_view key) {
    if (Status s = ValidateObjectKey(key); !s.ok()) return s;
    const Status not_found = Status::NotFound("no object " + std::string(key));
    auto dir = OpenKeyDir(root_, key, Access::kRead);
    if (!dir.ok()) return dir.status().IsNotFound() ? not_found : dir.status();
    // Looked at before opening: opening a device node or a FIFO can have effects of its own.
    OpenObject object;
    if (::fstatat(dir->dir.get(), dir->leaf.c_str(), &object.st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) return not_found;
      return FromErrno(errno, Access::kRead, "looking at " + PathOf(key));
    }
    if (S_ISLNK(object.st.st_mode)) {
      filestore::LogRefusedLink(PathOf(key));
      return not_found;
    }
    if (!S_ISREG(object.st.st_mode)) return not_found;
    object.fd = UniqueFd(::openat(dir->dir.get(), dir->leaf.c_str(), kOpenObject));
    if (!object.fd.valid()) {
      if (errno == ENOENT) return not_found;  // deleted in between
      if (errno == ELOOP) {                   // replaced by a link in between
        filestore::LogRefusedLink(PathOf(key));
        return not_found;
      }
      return FromErrno(errno, Access::kRead, "opening " + PathOf(key));
    }
    if (::fstat(object.fd.get(), &object.st) != 0) {
      return FromErrno(errno, Access::kRead, "looking at " + PathOf(key));
    }
    if (!S_ISREG(object.st.st_mode)) return not_found;
    return object;
  }

  // Adds to `out` every object under the directory `dir` (whose keys start with `dir_key`) that
  // matches `prefix`. Links are skipped and logged; temporary files are not objects.
  Status ListDirectory(UniqueFd dir, const std::string& dir_key, std::string_view prefix,
                       std::vector<ObjectInfo>* out) {
    DIR* stream = ::fdopendir(dir.get());
    if (stream == nullptr) return FromErrno(errno, Access::kRead, "listing " + PathOf(dir_key));
    dir.Release();
    struct Closer {
      DIR* d;
      ~Closer() { ::closedir(d); }
    } closer{stream};
    const int fd = ::dirfd(stream);
    errno = 0;
    while (dirent* entry = ::readdir(stream)) {
      const std::string name = entry->d_name;
      if (name == "." || name == ".." || IsTempFileName(name)) continue;
      const std::string key = dir_key + name;
      struct stat st {};
      if (::fstatat(fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;  // just deleted
      if (S_ISLNK(st.st_mode)) {
        filestore::LogRefusedLink(PathOf(key));
      } else if (S_ISDIR(st.st_mode)) {
        // Only directories that can hold a key with the prefix.
        const std::string sub = key + "/";
        if (!sub.starts_with(prefix) && !prefix.starts_with(sub)) continue;
        UniqueFd child(::openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!child.valid()) {
          if (errno == ENOENT) continue;
          return FromErrno(errno, Access::kRead, "listing " + PathOf(sub));
        }
        if (Status s = ListDirectory(std::move(child), sub, prefix, out); !s.ok()) return s;
      } else if (S_ISREG(st.st_mode) && key.starts_with(prefix)) {
        UniqueFd file(::openat(fd, name.c_str(), kOpenObject));
        if (!file.valid()) continue;  // deleted or replaced while listing
        if (::fstat(file.get(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        out->push_back(InfoFor(key, file.get(), st));
      }
      errno = 0;
    }
    if (errno != 0) return FromErrno(errno, Access::kRead, "listing " + PathOf(dir_key));
    return Status::Ok();
  }

  // Writes `data` to a new temporary file in the key's directory (created when missing), with
  // its content type and ETag, and makes it durable. Returns the directory, open, for the
  // caller to move the file (named `*temp`) into place.
  Result<KeyDir> WriteTemp(std::string_view key, std::string_view data,
                           std::string_view content_type, std::string* temp) {
    if (Status s = ValidateObjectKey(key); !s.ok()) return s;
    auto dir = OpenKeyDir(root_, key, Access::kWrite);
    if (!dir.ok()) return dir.status();
    const std::string detail = "a temporary file for " + PathOf(key);
    UniqueFd fd(CreateTempFileAt(dir->dir.get(), 0644, temp));
    if (!fd.valid()) return FromErrno(errno, Access::kWrite, "creating " + detail);
    Status st = WriteAll(fd.get(), data, detail);
    if (st.ok()) {
      std::string type = std::string(content_type.empty() ? ContentTypeForKey(key) : content_type);
      std::string etag = Md5Hex(data);
      // Extended attributes are best effort: without them the type is guessed from the key.
      fsetxattr(fd.get(), kTypeAttr, type.data(), type.size(), 0);
      fsetxattr(fd.get(), kEtagAttr, etag.data(), etag.size(), 0);
      if (::fsync(fd.get()) != 0) st = FromErrno(errno, Access::kWrite, "syncing " + detail);
    }
    if (!st.ok()) {
      ::unlinkat(dir->dir.get(), temp->c_str(), 0);
      return st;
    }
    return dir;
  }

  Status SyncDirectory(int dir_fd, std::string_view key) {
    if (::fsync(dir_fd) == 0) return Status::Ok();
    return FromErrno(errno, Access::kWrite, "syncing the directory of " + PathOf(key));
  }

  const std::string root_;
};

}  // namespace

Result<std::unique_ptr<ObjectStore>> OpenFileStore(const std::string& root) {
  if (root.empty()) return Status::InvalidArgument("file store needs a directory: file:DIR");
  std::error_code ec;
  fs::path abs = fs::absolute(root, ec);
  if (ec) return Status::InvalidArgument("cannot resolve " + root + ": " + ec.message());
  abs = abs.lexically_normal();
  // Start-up errors go to the operator, who needs the path.
  fs::create_directories(abs, ec);
  if (ec) return Status::Unavailable("cannot create " + abs.string() + ": " + ec.message());
  if (!fs::is_directory(abs, ec)) {
    return Status::InvalidArgument(abs.string() + " is not a directory");
  }
  std::string path = abs.string();
  if (path.size() > 1 && path.back() == '/') path.pop_back();
  filestore::SweepStaleTempFiles(path, filestore::kStaleTempAge);
  return std::unique_ptr<ObjectStore>(std::make_unique<FileStore>(std::move(path)));
}

}  // namespace pictor
