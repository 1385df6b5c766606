#include "core/temp_file.h"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "core/hex.h"

namespace pictor {
namespace {

// 64 bits from the kernel's generator, as 16 hex digits.
std::string RandomHex() {
  uint64_t bits = 0;
  size_t got = 0;
  while (got < sizeof bits) {
    ssize_t n = ::getrandom(reinterpret_cast<char*>(&bits) + got, sizeof bits - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // cannot happen after boot; the O_EXCL create still keeps us safe
    got += static_cast<size_t>(n);
  }
  return Hex64(bits);
}

}  // namespace

bool IsTempFileName(std::string_view name) { return name.starts_with(kTempFilePrefix); }

int CreateTempFileAt(int dir_fd, mode_t mode, std::string* name) {
  // A clash with an existing name is astronomically unlikely unless someone planted it; a few
  // fresh names are tried, and every try refuses to open what is there.
  for (int attempt = 0; attempt < 8; ++attempt) {
    std::string candidate = std::string(kTempFilePrefix) + RandomHex();
    int fd = ::openat(dir_fd, candidate.c_str(),
                      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd >= 0) {
      *name = std::move(candidate);
      return fd;
    }
    if (errno != EEXIST) return -1;
  }
  errno = EEXIST;
  return -1;
}

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.Release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

int UniqueFd::Release() {
  int fd = fd_;
  fd_ = -1;
  return fd;
}

}  // namespace pictor
