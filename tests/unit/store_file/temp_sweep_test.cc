// Temporary files a crash left behind are swept when a store opens, once they are old enough
// that no live writer can own them.
#include "store/file/temp_sweep.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <ctime>

#include "core/temp_file.h"
#include "file_store_fixture.h"

namespace pictor {
namespace {

namespace fs = std::filesystem;

void SetAge(const fs::path& path, std::time_t seconds) {
  const std::time_t then = std::time(nullptr) - seconds;
  timespec times[2] = {{then, 0}, {then, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW), 0) << path;
}

TEST_F(FileStoreTest, TemporaryFilesHaveUnpredictableRecognisableNames) {
  UniqueFd dir(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(dir.valid());
  std::string first;
  std::string second;
  UniqueFd a(CreateTempFileAt(dir.get(), 0644, &first));
  UniqueFd b(CreateTempFileAt(dir.get(), 0644, &second));
  ASSERT_TRUE(a.valid() && b.valid());
  EXPECT_NE(first, second);
  for (const std::string& name : {first, second}) {
    EXPECT_TRUE(IsTempFileName(name)) << name;
    EXPECT_EQ(name.size(), std::string(".pictor-tmp-").size() + 16) << name;
    EXPECT_EQ(name.find_first_not_of("0123456789abcdef", 12), std::string::npos) << name;
  }
}

TEST_F(FileStoreTest, OpeningSweepsOnlyStaleTemporaryFiles) {
  fs::create_directories(root_ / "p/generated_images");
  const fs::path stale = root_ / "p/generated_images/.pictor-tmp-0123456789abcdef";
  const fs::path stale_top = root_ / ".pictor-tmp-00000000000000aa";
  const fs::path fresh = root_ / "p/generated_images/.pictor-tmp-fedcba9876543210";
  const fs::path old_object = root_ / "p/generated_images/old.png";
  for (const fs::path& p : {stale, stale_top, fresh, old_object}) WriteFile(p, "x");
  SetAge(stale, 2 * 3600);
  SetAge(stale_top, 3 * 3600);
  SetAge(fresh, 30 * 60);  // may still be a live writer's, in another process
  SetAge(old_object, 5 * 3600);

  ASSERT_TRUE(OpenFileStore(root_.string()).ok());
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_FALSE(fs::exists(stale_top));
  EXPECT_TRUE(fs::exists(fresh));
  EXPECT_TRUE(fs::exists(old_object));
}

TEST_F(FileStoreTest, TheSweepFollowsNoLink) {
  const fs::path outside_temp = outside_ / ".pictor-tmp-1111111111111111";
  WriteFile(outside_temp, "not the store's");
  SetAge(outside_temp, 2 * 3600);
  fs::create_symlink(outside_, root_ / "linked");
  fs::create_symlink(outside_temp, root_ / ".pictor-tmp-2222222222222222");
  SetAge(root_ / ".pictor-tmp-2222222222222222", 2 * 3600);

  ASSERT_TRUE(OpenFileStore(root_.string()).ok());
  EXPECT_TRUE(fs::exists(outside_temp));
  EXPECT_TRUE(fs::is_symlink(root_ / ".pictor-tmp-2222222222222222"));
}

TEST_F(FileStoreTest, TheSweepReportsHowManyItRemoved) {
  fs::create_directories(root_ / "a/b");
  for (const char* name : {"a/.pictor-tmp-1", "a/b/.pictor-tmp-2", "a/b/.pictor-tmp-3"}) {
    WriteFile(root_ / name, "x");
    SetAge(root_ / name, 7200);
  }
  EXPECT_EQ(filestore::SweepStaleTempFiles(root_.string(), std::chrono::seconds(3600)), 3u);
  EXPECT_EQ(filestore::SweepStaleTempFiles(root_.string(), std::chrono::seconds(3600)), 0u);
}

}  // namespace
}  // namespace pictor
