// Links inside the store are never followed, by any method: the store serves only what it
// stored, and never writes where a link points.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <thread>

#include "file_store_fixture.h"

namespace pictor {
namespace {

namespace fs = std::filesystem;

class FileStoreLinkTest : public FileStoreTest {
 protected:
  void SetUp() override {
    FileStoreTest::SetUp();
    WriteFile(outside_ / "secret.png", "secret bytes");
    fs::create_directories(root_ / "p/generated_images");
  }
  std::string Secret() { return ReadFile(outside_ / "secret.png"); }
};

// generated_images/x.png -> a file outside the store.
TEST_F(FileStoreLinkTest, ALinkToAFileOutsideIsNotFoundForGetAndHead) {
  fs::create_symlink(outside_ / "secret.png", root_ / "p/generated_images/x.png");
  EXPECT_TRUE(store_->Get("p/generated_images/x.png").status().IsNotFound());
  EXPECT_TRUE(store_->Head("p/generated_images/x.png").status().IsNotFound());
}

TEST_F(FileStoreLinkTest, ALinkToAFileOutsideIsNotListed) {
  ASSERT_TRUE(store_->Put("p/generated_images/real.png", "real", "image/png").ok());
  fs::create_symlink(outside_ / "secret.png", root_ / "p/generated_images/x.png");
  auto listed = store_->List("p/", 10);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].key, "p/generated_images/real.png");
}

TEST_F(FileStoreLinkTest, PutReplacesALinkAndNeverWritesThroughIt) {
  fs::create_symlink(outside_ / "secret.png", root_ / "p/generated_images/x.png");
  ASSERT_TRUE(store_->Put("p/generated_images/x.png", "new", "image/png").ok());
  EXPECT_EQ(Secret(), "secret bytes");
  EXPECT_FALSE(fs::is_symlink(root_ / "p/generated_images/x.png"));
  EXPECT_EQ(store_->Get("p/generated_images/x.png")->data, "new");
}

TEST_F(FileStoreLinkTest, PutIfAbsentNeverWritesThroughALink) {
  fs::create_symlink(outside_ / "secret.png", root_ / "p/generated_images/x.png");
  Status s = store_->PutIfAbsent("p/generated_images/x.png", "new", "image/png");
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists) << s.ToString();
  EXPECT_EQ(Secret(), "secret bytes");
}

TEST_F(FileStoreLinkTest, DeleteRemovesTheLinkNotItsTarget) {
  fs::create_symlink(outside_ / "secret.png", root_ / "p/generated_images/x.png");
  EXPECT_TRUE(store_->Delete("p/generated_images/x.png").ok());
  EXPECT_EQ(Secret(), "secret bytes");
}

// p/generated_images -> a directory outside the store.
class FileStoreLinkedDirectoryTest : public FileStoreLinkTest {
 protected:
  void SetUp() override {
    FileStoreLinkTest::SetUp();
    fs::remove_all(root_ / "p/generated_images");
    fs::create_symlink(outside_, root_ / "p/generated_images");
  }
};

TEST_F(FileStoreLinkedDirectoryTest, GetAndHeadAreNotFound) {
  EXPECT_TRUE(store_->Get("p/generated_images/secret.png").status().IsNotFound());
  EXPECT_TRUE(store_->Head("p/generated_images/secret.png").status().IsNotFound());
}

TEST_F(FileStoreLinkedDirectoryTest, ListNeitherEntersNorStartsInIt) {
  ASSERT_TRUE(store_->Put("p/other/real.png", "real", "image/png").ok());
  auto from_top = store_->List("p/", 10);
  ASSERT_TRUE(from_top.ok()) << from_top.status().ToString();
  ASSERT_EQ(from_top->size(), 1u);
  EXPECT_EQ((*from_top)[0].key, "p/other/real.png");
  auto inside = store_->List("p/generated_images/", 10);
  ASSERT_TRUE(inside.ok()) << inside.status().ToString();
  EXPECT_TRUE(inside->empty());
}

TEST_F(FileStoreLinkedDirectoryTest, PutAndPutIfAbsentRefuseToWriteThroughIt) {
  Status put = store_->Put("p/generated_images/secret.png", "new", "image/png");
  EXPECT_TRUE(put.IsRetryable()) << put.ToString();
  EXPECT_EQ(put.message().find(outside_.string()), std::string::npos) << put.message();
  Status once = store_->PutIfAbsent("p/generated_images/fresh.png", "new", "image/png");
  EXPECT_TRUE(once.IsRetryable()) << once.ToString();
  EXPECT_EQ(Secret(), "secret bytes");
  EXPECT_FALSE(fs::exists(outside_ / "fresh.png"));
  int files = 0;
  for (const auto& e : fs::directory_iterator(outside_)) files += e.is_regular_file();
  EXPECT_EQ(files, 1);  // no temporary file either
}

TEST_F(FileStoreLinkedDirectoryTest, DeleteTouchesNothingBehindIt) {
  EXPECT_TRUE(store_->Delete("p/generated_images/secret.png").ok());
  EXPECT_EQ(Secret(), "secret bytes");
}

// The store's root may itself be a link: the operator chose it.
TEST_F(FileStoreLinkTest, ARootThatIsALinkIsFollowed) {
  fs::create_symlink(root_, base_ / "root-link");
  auto linked = OpenFileStore((base_ / "root-link").string());
  ASSERT_TRUE(linked.ok()) << linked.status().ToString();
  ASSERT_TRUE((*linked)->Put("p/a.png", "x", "image/png").ok());
  EXPECT_EQ(store_->Get("p/a.png")->data, "x");
}

// A FIFO where an object should be: reading it must neither block nor serve anything.
TEST_F(FileStoreLinkTest, AFifoIsNotFoundAndNeverBlocks) {
  ASSERT_EQ(::mkfifo((root_ / "p/generated_images/fifo.png").c_str(), 0644), 0);
  EXPECT_TRUE(store_->Get("p/generated_images/fifo.png").status().IsNotFound());
  EXPECT_TRUE(store_->Head("p/generated_images/fifo.png").status().IsNotFound());
  auto listed = store_->List("p/", 10);
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty());
}

}  // namespace
}  // namespace pictor
