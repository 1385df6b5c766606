// A temporary directory for one contract case's adapter, removed with everything in it.
#ifndef PICTOR_TESTS_CONTRACT_TEMP_DIR_H_
#define PICTOR_TESTS_CONTRACT_TEMP_DIR_H_

#include <stdlib.h>

#include <filesystem>
#include <string>

#include "pictor/status.h"

namespace pictor::testing {

class TempDir {
 public:
  TempDir() = default;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }

  Status Make() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "pictor-contract-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) return Status::Internal("mkdtemp failed");
    path_ = pattern;
    return Status::Ok();
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace pictor::testing

#endif  // PICTOR_TESTS_CONTRACT_TEMP_DIR_H_
