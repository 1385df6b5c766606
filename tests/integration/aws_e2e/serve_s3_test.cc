// `pictor serve --store s3://...`: images are handed out as presigned S3 URLs that a plain HTTP
// client fetches from the store itself.
#include <signal.h>

#include <filesystem>

#include "integration/aws_e2e/aws_fixture.h"

namespace pictor::aws_e2e {
namespace {

class ServeS3Test : public AwsPeersTest {
 protected:
  void SetUp() override {
    AwsPeersTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(MakeBucket("serve-images"));
    const std::string port_file = dir_ / "serve.port";
    server_ = SpawnPictor({"serve", "--listen", "127.0.0.1:0", "--port-file", port_file, "--store",
                           "s3://serve-images", "--queue", "sqlite:" + (dir_ / "queue.db"),
                           "--workers", "0"});
    ASSERT_NE(server_, nullptr);
    ASSERT_TRUE(integration::WaitUntil(
        [&] {
          std::string text = integration::ReadFile(port_file);
          return (!text.empty() && text.back() == '\n') || !server_->Running();
        },
        30s))
        << "no port file; stderr:\n"
        << server_->Stderr();
    ASSERT_TRUE(server_->Running()) << server_->Stderr();
    base_url_ = "http://127.0.0.1:" + integration::ReadFile(port_file);
    base_url_.pop_back();
  }
  void TearDown() override {
    if (server_) {
      server_->Signal(SIGTERM);
      if (!server_->Wait(30s)) server_->Kill();
    }
    AwsPeersTest::TearDown();
  }

  // Fetches `url` with the curl program, no credentials, no redirects; the body or nullopt.
  std::optional<std::string> CurlGet(const std::string& url) {
    const std::string out = dir_ / "curl.out";
    std::filesystem::remove(out);
    std::string error;
    auto curl = Process::Spawn(
        {"/usr/bin/curl", "--silent", "--show-error", "--fail", "--output", out, url}, {},
        dir_.path(), dir_.path(), &error);
    if (!curl) return std::nullopt;
    auto exit = curl->Wait(30s);
    if (!exit || !exit->exited || exit->code != 0) {
      ADD_FAILURE() << "curl " << url << ": " << curl->Stderr();
      return std::nullopt;
    }
    return integration::ReadFile(out);
  }

  // POST /generate-image; the JSON answer (null after a test failure).
  nlohmann::json Generate() {
    auto r = integration::Http("POST", base_url_ + "/generate-image",
                               R"({"prompt": "En katt og en hund i verdensrommet ✨"})");
    EXPECT_EQ(r.status, 200) << r.error << r.body;
    auto body = nlohmann::json::parse(r.body, nullptr, false);
    return body.is_discarded() ? nlohmann::json(nullptr) : body;
  }

  std::unique_ptr<Process> server_;
  std::string base_url_;
};

TEST_F(ServeS3Test, GenerateImageAnswersWithTheS3PathAndAPresignedUrlCurlCanFetch) {
  nlohmann::json body = Generate();
  ASSERT_TRUE(body.is_object()) << body.dump();
  const std::string key = body.value("key", "");
  ASSERT_FALSE(key.empty()) << body.dump();
  EXPECT_EQ(body.value("s3_path", ""), "s3://serve-images/" + key);

  const std::string url = body.value("url", "");
  EXPECT_EQ(url.rfind(Endpoint() + "/serve-images/", 0), 0u) << url;
  EXPECT_NE(url.find("X-Amz-Signature="), std::string::npos) << url;
  auto png_bytes = CurlGet(url);
  ASSERT_TRUE(png_bytes.has_value());
  auto png = integration::DecodePng(*png_bytes);
  ASSERT_TRUE(png.has_value()) << "the presigned URL did not give a PNG";
  EXPECT_EQ(png->width, static_cast<uint32_t>(body.value("width", 0)));
}

TEST_F(ServeS3Test, GetImageRedirectsToAPresignedUrlOfTheObject) {
  nlohmann::json body = Generate();
  ASSERT_TRUE(body.is_object()) << body.dump();
  const std::string key = body.value("key", "");
  ASSERT_FALSE(key.empty());

  auto r = integration::Http("GET", base_url_ + "/images/" + key);
  ASSERT_EQ(r.status, 302) << r.body;
  const std::string location = r.Header("location");
  EXPECT_NE(location.find("X-Amz-Signature="), std::string::npos) << location;
  auto png_bytes = CurlGet(location);
  ASSERT_TRUE(png_bytes.has_value());
  EXPECT_TRUE(integration::DecodePng(*png_bytes).has_value());
  RunResult copied = Aws({"s3", "cp", "s3://serve-images/" + key, dir_ / "via-cli.png"});
  ASSERT_EQ(copied.code(), 0) << copied.err;
  EXPECT_EQ(integration::ReadFile(dir_ / "via-cli.png"), *png_bytes);

  // The page's way: the bytes from Pictor itself, no other origin involved.
  auto served = integration::Http("GET", base_url_ + "/images/" + key + "?redirect=false");
  ASSERT_EQ(served.status, 200) << served.body;
  EXPECT_EQ(served.Header("content-type"), "image/png");
  EXPECT_EQ(served.body, *png_bytes);
  EXPECT_EQ(integration::Http("GET", base_url_ + "/images/" + key + "?redirect=true").status, 302);
  auto bad = integration::Http("GET", base_url_ + "/images/" + key + "?redirect=maybe");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("invalid_query"), std::string::npos) << bad.body;
}

}  // namespace
}  // namespace pictor::aws_e2e
