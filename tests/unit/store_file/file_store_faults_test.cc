// Faults of the store's own storage are retryable and their messages name no server path.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "file_store_fixture.h"
#include "store/file/key_path.h"

namespace pictor {
namespace {

namespace fs = std::filesystem;
using filestore::Access;

void ExpectRetryableWithoutPath(const Status& s, const fs::path& root) {
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.IsRetryable()) << s.ToString();
  EXPECT_NE(s.code(), StatusCode::kPermissionDenied) << s.ToString();
  EXPECT_NE(s.reason(), "invalid_key") << s.ToString();
  EXPECT_EQ(s.message().find(root.parent_path().string()), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find(std::to_string(::getpid())), std::string::npos) << s.message();
}

TEST(FileStoreErrnoTest, StorageFaultsAreRetryableAndNameNoPath) {
  struct Case {
    int err;
    StatusCode code;
  };
  for (Case c :
       {Case{EACCES, StatusCode::kUnavailable}, Case{EPERM, StatusCode::kUnavailable},
        Case{EROFS, StatusCode::kUnavailable}, Case{ENOTDIR, StatusCode::kUnavailable},
        Case{EIO, StatusCode::kUnavailable}, Case{ENOSPC, StatusCode::kResourceExhausted},
        Case{EDQUOT, StatusCode::kResourceExhausted}, Case{EFBIG, StatusCode::kResourceExhausted},
        Case{EMFILE, StatusCode::kResourceExhausted},
        Case{ENFILE, StatusCode::kResourceExhausted}}) {
    Status s = filestore::FromErrno(c.err, Access::kWrite, "writing /srv/secret/place/x.png");
    EXPECT_EQ(s.code(), c.code) << c.err << " " << s.ToString();
    EXPECT_TRUE(s.IsRetryable()) << s.ToString();
    EXPECT_EQ(s.message().find("/srv"), std::string::npos) << s.message();
    EXPECT_EQ(s.message().rfind("the image store cannot be written: ", 0), 0u) << s.message();
  }
  EXPECT_EQ(filestore::FromErrno(ENOSPC, Access::kWrite, "x").message(),
            "the image store cannot be written: no space left on device");
  EXPECT_EQ(filestore::FromErrno(EIO, Access::kRead, "x").message(),
            "the image store cannot be read: input/output error");
}

TEST_F(FileStoreTest, RootReplacedByAFileIsAStoreFaultForEveryMethod) {
  ASSERT_TRUE(store_->Put("p/generated_images/a.png", "x", "image/png").ok());
  fs::remove_all(root_);
  WriteFile(root_, "not a directory");
  ExpectRetryableWithoutPath(store_->Put("p/generated_images/b.png", "x", "image/png"), root_);
  ExpectRetryableWithoutPath(store_->PutIfAbsent("p/generated_images/c.png", "x", ""), root_);
  ExpectRetryableWithoutPath(store_->Get("p/generated_images/a.png").status(), root_);
  ExpectRetryableWithoutPath(store_->Head("p/generated_images/a.png").status(), root_);
  ExpectRetryableWithoutPath(store_->List("p/", 10).status(), root_);
  ExpectRetryableWithoutPath(store_->Delete("p/generated_images/a.png"), root_);

  // Repaired, it works again.
  fs::remove(root_);
  fs::create_directories(root_);
  EXPECT_TRUE(store_->Put("p/generated_images/b.png", "x", "image/png").ok());
}

TEST_F(FileStoreTest, AMissingRootIsAStoreFault) {
  fs::remove_all(root_);
  ExpectRetryableWithoutPath(store_->Put("p/a.png", "x", "image/png"), root_);
  // Not silently recreated: a missing root is often an unmounted volume.
  EXPECT_FALSE(fs::exists(root_));
}

TEST_F(FileStoreTest, ADirectoryOnTheWayReplacedByAFileIsAStoreFaultForWrites) {
  ASSERT_TRUE(store_->Put("p/generated_images/a.png", "x", "image/png").ok());
  fs::remove_all(root_ / "p/generated_images");
  WriteFile(root_ / "p/generated_images", "in the way");
  ExpectRetryableWithoutPath(store_->Put("p/generated_images/b.png", "x", "image/png"), root_);
  ExpectRetryableWithoutPath(store_->PutIfAbsent("p/generated_images/b.png", "x", ""), root_);
  // Nothing can be stored below a file, so nothing is there to read.
  EXPECT_TRUE(store_->Get("p/generated_images/a.png").status().IsNotFound());
  EXPECT_TRUE(store_->Delete("p/generated_images/a.png").ok());
}

TEST_F(FileStoreTest, ADirectoryWithTheKeysNameIsAStoreFaultNotABadKey) {
  fs::create_directories(root_ / "p/k.png/inside");
  ExpectRetryableWithoutPath(store_->Put("p/k.png", "x", "image/png"), root_);
  EXPECT_TRUE(store_->Get("p/k.png").status().IsNotFound());
}

// A file-size limit (RLIMIT_FSIZE) fills like a full disk: the write fails with EFBIG. Run in
// a child so the limit binds nobody else.
TEST_F(FileStoreTest, AFullDiskIsResourceExhaustedAndLeavesNoTemporaryFile) {
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::signal(SIGXFSZ, SIG_IGN);  // the write fails with EFBIG instead of killing the process
    rlimit limit{4096, 4096};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    Status s = store_->Put("p/big.png", std::string(100000, 'z'), "image/png");
    _exit(s.code() == StatusCode::kResourceExhausted ? 0 : s.ok() ? 1 : 2);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(root_)) files += e.is_regular_file();
  EXPECT_EQ(files, 0);
}

}  // namespace
}  // namespace pictor
