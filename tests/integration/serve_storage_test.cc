// `pictor serve` when its own storage fails: a store fault is a 503 with Retry-After whose body
// names no server path, /readyz follows the store, and links inside the store serve nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "harness.h"
#include "serve_fixture.h"

namespace pictor::integration {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSmallImage = R"({"prompt": "a lighthouse", "width": 64, "height": 64})";

class ServeStorageTest : public ServeTest {
 protected:
  fs::path Images() const { return dir_.path() / "images"; }

  // Puts a regular file where the directory `dir` was (its content kept aside for repair).
  void ReplaceByAFile(const fs::path& dir) {
    fs::create_directories(dir);
    fs::rename(dir, fs::path(dir.string() + ".aside"));
    std::ofstream(dir) << "not a directory";
  }
  void Repair(const fs::path& dir) {
    fs::remove(dir);
    fs::rename(fs::path(dir.string() + ".aside"), dir);
  }

  // A 503 a client may retry, whose body names no server path and no process id.
  void ExpectStoreFault(const HttpResult& r) {
    EXPECT_EQ(r.status, 503) << r.error << r.body;
    EXPECT_FALSE(r.Header("retry-after").empty());
    Json j = ParseJson(r);
    EXPECT_NE(j["error"], "permission_denied") << r.body;
    EXPECT_NE(j["error"], "invalid_key") << r.body;
    // Every 5xx carries a fixed message and the reason; the store's own words go to the log.
    EXPECT_TRUE(j["error"] == "unavailable" || j["error"] == "resource_exhausted") << r.body;
    EXPECT_EQ(r.body.find(dir_.path().string()), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find("/tmp"), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find(std::to_string(server_.process->pid())), std::string::npos) << r.body;
  }

  bool ReadyIs(long status) {
    return WaitUntil([&] { return Get("/readyz").status == status; }, 20s, 100ms);
  }
};

TEST_F(ServeStorageTest, AStoreRootReplacedByAFileIs503UntilRepaired) {
  ASSERT_EQ(Post("/generate-image", kSmallImage).status, 200);
  ReplaceByAFile(Images());
  ExpectStoreFault(Post("/generate-image", kSmallImage));
  Repair(Images());
  HttpResult r = Post("/generate-image", kSmallImage);
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(ServeStorageTest, AnImagesDirectoryReplacedByAFileIs503UntilRepaired) {
  ASSERT_EQ(Post("/generate-image", kSmallImage).status, 200);
  ReplaceByAFile(Images() / "generated_images");
  ExpectStoreFault(Post("/generate-image", kSmallImage));
  // The detail is in the server's log, path and all.
  EXPECT_TRUE(WaitUntil(
      [&] {
        return server_.process->Stderr().find((Images() / "generated_images").string()) !=
               std::string::npos;
      },
      10s));
  Repair(Images() / "generated_images");
  EXPECT_EQ(Post("/generate-image", kSmallImage).status, 200);
}

TEST_F(ServeStorageTest, ReadinessFailsWhileTheStoreCannotBeWritten) {
  ASSERT_EQ(Get("/readyz").status, 200);
  ReplaceByAFile(Images() / "generated_images");
  ASSERT_TRUE(ReadyIs(503));
  HttpResult r = Get("/readyz");
  EXPECT_EQ(ParseJson(r)["error"], "not_ready");
  EXPECT_EQ(r.body.find(dir_.path().string()), std::string::npos) << r.body;
  Repair(Images() / "generated_images");
  EXPECT_TRUE(ReadyIs(200));
  // The probe leaves nothing behind.
  for (const auto& e : fs::recursive_directory_iterator(Images())) {
    EXPECT_EQ(e.path().filename().string().find("readyz"), std::string::npos) << e.path();
  }
}

TEST_F(ServeStorageTest, AQueuedJobWaitsOutAStoreFaultAndSucceedsOnceRepaired) {
  ReplaceByAFile(Images() / "generated_images");
  HttpResult submitted = Post("/jobs", kSmallImage);
  ASSERT_EQ(submitted.status, 202) << submitted.body;
  const std::string id = ParseJson(submitted)["id"];
  Json job;
  ASSERT_TRUE(WaitUntil(
      [&] {
        HttpResult r = Get("/jobs/" + id);
        job = Json::parse(r.body, nullptr, false);
        return job.is_object() && job["error"].is_string();
      },
      30s, 50ms))
      << job.dump();
  // A fault of the server's storage is retried, not the job's failure.
  EXPECT_NE(job["status"], "failed") << job.dump();
  const std::string error = job["error"];
  EXPECT_NE(error.find("the image store cannot be written"), std::string::npos) << error;
  EXPECT_EQ(error.find(dir_.path().string()), std::string::npos) << error;
  Repair(Images() / "generated_images");
  Json done = AwaitJob(id);
  EXPECT_EQ(done["status"], "succeeded") << done.dump();
}

TEST_F(ServeStorageTest, ALinkInsideTheStoreIsNotFound) {
  fs::create_directories(Images() / "generated_images");
  std::ofstream(dir_.path() / "secret.png") << "outside the store";
  fs::create_symlink(dir_.path() / "secret.png", Images() / "generated_images/x.png");
  HttpResult r = Get("/images/generated_images/x.png");
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(r.body.find("outside the store"), std::string::npos);
  EXPECT_TRUE(WaitUntil(
      [&] { return server_.process->Stderr().find("symbolic link") != std::string::npos; }, 10s));
}

TEST_F(ServeStorageTest, ALinkedDirectoryInsideTheStoreIsNotFound) {
  fs::create_directories(dir_.path() / "outside");
  std::ofstream(dir_.path() / "outside/secret.png") << "outside the store";
  fs::create_directories(Images() / "generated_images");
  fs::create_symlink(dir_.path() / "outside", Images() / "generated_images/linked");
  HttpResult r = Get("/images/generated_images/linked/secret.png");
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(r.body.find("outside the store"), std::string::npos);
}

}  // namespace
}  // namespace pictor::integration
