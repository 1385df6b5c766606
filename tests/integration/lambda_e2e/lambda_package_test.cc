// scripts/lambda-package.sh: the zip holds an executable bootstrap, the dynamic loader, lib/
// and the binary, and the bundled bootstrap starts pictor through that loader alone.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "integration/harness.h"
#include "peers/peer_process.h"

namespace pictor {
namespace {

namespace fs = std::filesystem;

// Runs `command` with /bin/sh; its exit code and standard output.
std::pair<int, std::string> Shell(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, out};
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

class LambdaPackageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(integration::PictorBinary().empty()) << "PICTOR_BIN is not set";
    zip_ = dir_ / "pictor-lambda.zip";
    auto [code, out] = Shell(testing::SourceDir() + "/scripts/lambda-package.sh '" +
                             integration::PictorBinary() + "' '" + zip_ + "' 2>&1");
    ASSERT_EQ(code, 0) << out;
    // Unpacked with Python's zipfile, keeping the mode bits stored in the archive.
    auto [ucode, uout] = Shell(
        "python3 -c 'import os,sys,zipfile\n"
        "z=zipfile.ZipFile(sys.argv[1])\n"
        "for i in z.infolist():\n"
        "  p=z.extract(i,sys.argv[2]); m=i.external_attr>>16\n"
        "  m and os.chmod(p,m&0o7777)\n"
        "print(\"\\n\".join(sorted(z.namelist())))' '" +
        zip_ + "' '" + (dir_ / "unpacked") + "' 2>&1");
    ASSERT_EQ(ucode, 0) << uout;
    listing_ = uout;
    root_ = dir_.path() / "unpacked";
  }

  static bool Executable(const fs::path& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & S_IXUSR) != 0;
  }

  integration::TempDir dir_;
  std::string zip_;
  std::string listing_;
  fs::path root_;
};

TEST_F(LambdaPackageTest, ZipHoldsBootstrapLoaderLibrariesAndBinary) {
  EXPECT_TRUE(Executable(root_ / "bootstrap")) << listing_;
  EXPECT_TRUE(Executable(root_ / "bin/pictor")) << listing_;
  EXPECT_TRUE(Executable(root_ / "lib/ld-linux-x86-64.so.2")) << listing_;
  EXPECT_TRUE(fs::exists(root_ / "lib/libc.so.6")) << listing_;
  EXPECT_TRUE(fs::exists(root_ / "lib/libstdc++.so.6")) << listing_;
  // Pictor speaks HTTP and SMTP itself (Beast, Asio, OpenSSL): no libcurl and its ~25 libraries.
  EXPECT_TRUE(fs::exists(root_ / "lib/libssl.so.3")) << listing_;
  EXPECT_FALSE(fs::exists(root_ / "lib/libcurl.so.4")) << listing_;
}

TEST_F(LambdaPackageTest, BundledBootstrapStartsThroughItsOwnLoader) {
  // An empty environment and library path: only what the zip holds can be found.
  auto [code, out] =
      Shell("cd '" + root_.string() +
            "' && env -i LD_LIBRARY_PATH= PATH=/usr/bin:/bin ./bootstrap --version 2>&1");
  EXPECT_EQ(code, 0) << out;
  EXPECT_EQ(out.rfind("pictor ", 0), 0u) << out;
  // The process really maps the bundled libc, not the system's.
  auto [mcode, maps] = Shell("cd '" + root_.string() +
                             "' && env -i LD_LIBRARY_PATH= ./lib/ld-linux-x86-64.so.2 --list "
                             "--library-path ./lib ./bin/pictor 2>&1");
  EXPECT_EQ(mcode, 0) << maps;
  EXPECT_NE(maps.find("libc.so.6 => ./lib/libc.so.6"), std::string::npos) << maps;
}

}  // namespace
}  // namespace pictor
