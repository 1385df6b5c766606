#include "store/file/file_store.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

namespace pictor {
namespace {

namespace fs = std::filesystem;

constexpr const char* kTempPrefix = ".pictor-tmp-";
constexpr const char* kTypeAttr = "user.pictor.content_type";
constexpr const char* kEtagAttr = "user.pictor.etag";

// The one place errno values become Status values.
Status FromErrno(int err, std::string_view what) {
  std::string msg = std::string(what) + ": " + std::strerror(err);
  switch (err) {
    case ENOENT:
      return Status::NotFound(msg);
    case EACCES:
    case EPERM:
    case EROFS:
      return Status::PermissionDenied(msg);
    case ENOSPC:
    case EDQUOT:
    case EIO:
    case EAGAIN:
    case EINTR:
    case EMFILE:
    case ENFILE:
      return Status::Unavailable(msg);
    case ENOTDIR:
    case EISDIR:
    case ENAMETOOLONG:
      return Status::InvalidArgument(msg, "invalid_key");
    default:
      return Status::Internal(msg);
  }
}

std::string Md5Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_md5(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

std::string ReadAttr(const std::string& path, const char* name) {
  char buf[256];
  ssize_t n = getxattr(path.c_str(), name, buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

std::string GuessContentType(std::string_view key) {
  auto ends_with = [&](std::string_view s) {
    return key.size() >= s.size() && key.substr(key.size() - s.size()) == s;
  };
  if (ends_with(".png")) return "image/png";
  if (ends_with(".json")) return "application/json";
  return "application/octet-stream";
}

bool IsTempName(const fs::path& p) { return p.filename().string().rfind(kTempPrefix, 0) == 0; }

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return FromErrno(errno, "writing object");
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status FsyncDirectory(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return FromErrno(errno, "opening directory " + dir.string());
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  return rc == 0 ? Status::Ok() : FromErrno(err, "syncing directory " + dir.string());
}

class FileStore final : public ObjectStore {
 public:
  explicit FileStore(fs::path root) : root_(std::move(root)) {}

  Status Put(std::string_view key, std::string_view data, std::string_view content_type) override {
    Result<fs::path> temp = WriteTemp(key, data, content_type);
    if (!temp.ok()) return temp.status();
    const fs::path target = PathFor(key);
    // rename(2) replaces the target atomically: readers see the old object or the new one,
    // never a torn write.
    if (::rename(temp->c_str(), target.c_str()) != 0) {
      Status st = FromErrno(errno, "renaming object into place");
      ::unlink(temp->c_str());
      return st.WithContext("storing " + std::string(key));
    }
    return FsyncDirectory(target.parent_path());
  }

  Status PutIfAbsent(std::string_view key, std::string_view data,
                     std::string_view content_type) override {
    Result<fs::path> temp = WriteTemp(key, data, content_type);
    if (!temp.ok()) return temp.status();
    const fs::path target = PathFor(key);
    // link(2), unlike rename(2), never replaces its target: it fails with EEXIST, atomically,
    // when any name is there, so of several processes racing for one key exactly one wins. The
    // file it links is already complete and synced, so nobody sees a partial object.
    int rc = ::link(temp->c_str(), target.c_str());
    int err = errno;
    ::unlink(temp->c_str());
    if (rc != 0) {
      if (err == EEXIST) return Status::AlreadyExists("an object exists at " + std::string(key));
      return FromErrno(err, "linking object into place").WithContext("storing " + std::string(key));
    }
    // Makes both the new name and the temporary's removal durable.
    return FsyncDirectory(target.parent_path());
  }

  Status Delete(std::string_view key) override {
    if (Status s = ValidateObjectKey(key); !s.ok()) return s;
    const fs::path target = PathFor(key);
    if (::unlink(target.c_str()) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) return Status::Ok();  // already gone
      return FromErrno(errno, "deleting " + std::string(key));
    }
    // Empty parent directories stay: removing them would race with a Put creating a file there.
    return FsyncDirectory(target.parent_path());
  }

  Result<StoredObject> Get(std::string_view key) override {
    auto info = Head(key);
    if (!info.ok()) return info.status();
    const std::string path = (root_ / fs::path(std::string(key))).string();
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return FromErrno(errno, "opening " + std::string(key));
    StoredObject obj;
    obj.info = std::move(info).value();
    obj.data.resize(obj.info.size);
    size_t done = 0;
    while (done < obj.data.size()) {
      ssize_t n = ::read(fd, obj.data.data() + done, obj.data.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        int err = n < 0 ? errno : EIO;
        ::close(fd);
        return FromErrno(err, "reading " + std::string(key));
      }
      done += static_cast<size_t>(n);
    }
    ::close(fd);
    return obj;
  }

  Result<ObjectInfo> Head(std::string_view key) override {
    if (Status s = ValidateObjectKey(key); !s.ok()) return s;
    const std::string path = (root_ / fs::path(std::string(key))).string();
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) {
        return Status::NotFound("no object " + std::string(key));
      }
      return FromErrno(errno, "reading " + std::string(key));
    }
    if (!S_ISREG(st.st_mode)) return Status::NotFound("no object " + std::string(key));
    return InfoFor(std::string(key), path, st);
  }

  Result<std::vector<ObjectInfo>> List(std::string_view prefix, size_t max_keys) override {
    std::vector<ObjectInfo> out;
    // Only walk the deepest directory the prefix names completely.
    std::string_view dir_part =
        prefix.substr(0, prefix.rfind('/') == std::string_view::npos ? 0 : prefix.rfind('/'));
    fs::path start = root_ / fs::path(std::string(dir_part));
    std::error_code ec;
    if (!fs::is_directory(start, ec)) return out;
    for (auto it = fs::recursive_directory_iterator(start, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file(ec) || IsTempName(it->path())) continue;
      std::string key = fs::relative(it->path(), root_, ec).generic_string();
      if (ec || key.compare(0, prefix.size(), prefix) != 0) continue;
      struct stat st {};
      if (::stat(it->path().c_str(), &st) != 0) continue;  // deleted while listing
      out.push_back(InfoFor(key, it->path().string(), st));
    }
    if (ec) return FromErrno(ec.value(), "listing " + std::string(prefix));
    std::sort(out.begin(), out.end(),
              [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
    if (out.size() > max_keys) out.resize(max_keys);
    return out;
  }

  std::string Location(std::string_view key) const override {
    return (root_ / fs::path(std::string(key))).string();
  }

 private:
  static ObjectInfo InfoFor(std::string key, const std::string& path, const struct stat& st) {
    ObjectInfo info;
    info.size = static_cast<uint64_t>(st.st_size);
    info.last_modified_ms =
        static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
    info.content_type = ReadAttr(path, kTypeAttr);
    if (info.content_type.empty()) info.content_type = GuessContentType(key);
    std::string etag = ReadAttr(path, kEtagAttr);
    if (etag.empty()) {
      etag = std::to_string(st.st_size) + "-" + std::to_string(st.st_mtim.tv_sec) + "." +
             std::to_string(st.st_mtim.tv_nsec);
    }
    info.etag = "\"" + etag + "\"";
    info.key = std::move(key);
    return info;
  }

  fs::path PathFor(std::string_view key) const { return root_ / fs::path(std::string(key)); }

  // Writes `data` to a new temporary file in the key's directory (created when missing), with
  // its content type and ETag, and makes it durable. The caller moves it into place.
  Result<fs::path> WriteTemp(std::string_view key, std::string_view data,
                             std::string_view content_type) {
    if (Status s = ValidateObjectKey(key); !s.ok()) return s;
    const fs::path dir = PathFor(key).parent_path();
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return FromErrno(ec.value(), "creating directory for " + std::string(key));

    fs::path temp = dir / (kTempPrefix + UniqueSuffix());
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return FromErrno(errno, "creating " + temp.string());
    Status st = WriteAll(fd, data);
    if (st.ok()) {
      std::string type = content_type.empty() ? GuessContentType(key) : std::string(content_type);
      std::string etag = Md5Hex(data);
      // Extended attributes are best effort: without them the type is guessed from the key.
      fsetxattr(fd, kTypeAttr, type.data(), type.size(), 0);
      fsetxattr(fd, kEtagAttr, etag.data(), etag.size(), 0);
      if (::fsync(fd) != 0) st = FromErrno(errno, "syncing object");
    }
    ::close(fd);
    if (!st.ok()) {
      ::unlink(temp.c_str());
      return st.WithContext("storing " + std::string(key));
    }
    return temp;
  }

  std::string UniqueSuffix() {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return std::to_string(::getpid()) + "-" + std::to_string(counter_.fetch_add(1)) + "-" +
           std::to_string(rng());
  }

  const fs::path root_;
  std::atomic<uint64_t> counter_{0};
};

}  // namespace

Result<std::unique_ptr<ObjectStore>> OpenFileStore(const std::string& root) {
  if (root.empty()) return Status::InvalidArgument("file store needs a directory: file:DIR");
  std::error_code ec;
  fs::path abs = fs::absolute(root, ec);
  if (ec) return FromErrno(ec.value(), "resolving " + root);
  fs::create_directories(abs, ec);
  if (ec) return FromErrno(ec.value(), "creating " + abs.string());
  if (!fs::is_directory(abs, ec)) {
    return Status::InvalidArgument(abs.string() + " is not a directory");
  }
  return std::unique_ptr<ObjectStore>(std::make_unique<FileStore>(abs.lexically_normal()));
}

}  // namespace pictor
