// A fresh file store in its own temporary directory, removed after each test.
#ifndef PICTOR_TESTS_UNIT_STORE_FILE_FILE_STORE_FIXTURE_H_
#define PICTOR_TESTS_UNIT_STORE_FILE_FILE_STORE_FIXTURE_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "store/file/file_store.h"

namespace pictor {

class FileStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = std::filesystem::temp_directory_path() /
            ("pictor-file-store-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(base_);
    root_ = base_ / "store";
    outside_ = base_ / "outside";
    std::filesystem::create_directories(outside_);
    auto s = OpenFileStore(root_.string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  void TearDown() override { std::filesystem::remove_all(base_); }

  static void WriteFile(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path) << text;
  }
  static std::string ReadFile(const std::filesystem::path& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  std::filesystem::path base_;     // holds the store and a directory beside it
  std::filesystem::path root_;     // the store's root
  std::filesystem::path outside_;  // a directory outside the store
  std::unique_ptr<ObjectStore> store_;
};

}  // namespace pictor

#endif  // PICTOR_TESTS_UNIT_STORE_FILE_FILE_STORE_FIXTURE_H_
