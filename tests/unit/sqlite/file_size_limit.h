// A real storage fault for the SQLite tests: work run in a child process whose files may not
// grow past a limit (setrlimit RLIMIT_FSIZE), so writes fail with EFBIG as they would on a full
// disk, and this works as root too, which no permission bit does.
#ifndef PICTOR_TESTS_UNIT_SQLITE_FILE_SIZE_LIMIT_H_
#define PICTOR_TESTS_UNIT_SQLITE_FILE_SIZE_LIMIT_H_

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <optional>
#include <string>

#include "pictor/status.h"

namespace pictor::testing {

// Runs `work` in a forked child with RLIMIT_FSIZE at `limit_bytes`. `work` returns the code of
// the first failure it met, or nullopt when everything succeeded. The answer is that code's
// name ("resource_exhausted"), "no failure", or what went wrong with the child itself. Fork
// from a test with no other threads running: the child only has the forking thread.
inline std::string FirstFailureWithFileSizeLimit(
    rlim_t limit_bytes, const std::function<std::optional<StatusCode>()>& work) {
  const pid_t child = fork();
  if (child < 0) return "fork failed";
  if (child == 0) {
    signal(SIGXFSZ, SIG_IGN);  // a write past the limit fails with EFBIG instead of killing
    struct rlimit limit = {limit_bytes, limit_bytes};
    if (setrlimit(RLIMIT_FSIZE, &limit) != 0) _exit(100);
    const std::optional<StatusCode> code = work();
    _exit(code ? static_cast<int>(*code) : 101);
  }
  int status = 0;
  if (waitpid(child, &status, 0) != child) return "waitpid failed";
  if (!WIFEXITED(status)) return "child died with signal " + std::to_string(WTERMSIG(status));
  switch (const int code = WEXITSTATUS(status)) {
    case 100:
      return "setrlimit failed";
    case 101:
      return "no failure";
    default:
      return std::string(StatusCodeName(static_cast<StatusCode>(code)));
  }
}

}  // namespace pictor::testing

#endif  // PICTOR_TESTS_UNIT_SQLITE_FILE_SIZE_LIMIT_H_
