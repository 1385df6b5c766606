// Temporary files: how Pictor creates the file it writes before renaming it into place.
//
// Every such file is named ".pictor-tmp-<16 random hex digits>" in the directory of its
// target, so that (a) nobody can predict the name and plant a link there first, and (b) one
// left behind by a crash (kill -9 between create and rename) is recognisable and can be swept.
#ifndef PICTOR_CORE_TEMP_FILE_H_
#define PICTOR_CORE_TEMP_FILE_H_

#include <sys/types.h>

#include <string>
#include <string_view>

namespace pictor {

inline constexpr std::string_view kTempFilePrefix = ".pictor-tmp-";

// True for a name CreateTempFileAt could have chosen (the prefix is enough: nothing else of
// Pictor's, nor a key it stores, starts with it).
bool IsTempFileName(std::string_view name);

// Creates a new, empty temporary file in the directory open as `dir_fd`, for writing, with
// O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC: it never opens or truncates anything that was
// already there, link or file. Returns the descriptor and sets `*name` to the file's name in
// that directory; on failure returns -1 with errno set (the caller translates it).
int CreateTempFileAt(int dir_fd, mode_t mode, std::string* name);

// Owns a file descriptor: closes it once. Not thread-safe; movable, not copyable.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.Release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int Release();

 private:
  int fd_ = -1;
};

}  // namespace pictor

#endif  // PICTOR_CORE_TEMP_FILE_H_
