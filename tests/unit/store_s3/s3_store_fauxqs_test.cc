// The S3 store against a real S3-compatible server (fauxqs on loopback), checked both ways with
// an independent client, the AWS CLI.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "aws/aws_client.h"
#include "peers/fauxqs_s3.h"
#include "peers/peer_process.h"
#include "store/s3/s3_store.h"

namespace pictor {
namespace {

namespace fs = std::filesystem;
constexpr const char* kAwsCli = "/usr/bin/aws";

// Runs a shell command and returns its exit status and standard output.
std::pair<int, std::string> RunCommand(const std::string& command) {
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, ""};
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::string ShellQuote(std::string_view s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Bytes that exercise binary safety: every byte value, twice.
std::string BinaryPayload() {
  std::string data;
  for (int round = 0; round < 2; ++round) {
    for (int b = 0; b < 256; ++b) data += static_cast<char>(b);
  }
  return data;
}

class S3StoreFauxqsTest : public testing::FauxqsS3Test {
 protected:
  void SetUp() override {
    // A fresh bucket per test: no test sees another's objects.
    FauxqsS3Test::SetUp();
    if (HasFatalFailure()) return;
    store_ = Open("s3://" + bucket_);
  }

  std::unique_ptr<ObjectStore> Open(const std::string& spec, size_t page_size = 1000) {
    auto options = ParseS3Spec(spec);
    EXPECT_TRUE(options.ok()) << options.status().ToString();
    if (!options.ok()) return nullptr;
    options->list_page_size = page_size;
    auto store = OpenS3Store(*options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  // The AWS CLI pointed at fauxqs (this CLI predates AWS_ENDPOINT_URL, so the flag is passed).
  static std::string AwsCli() {
    return std::string(kAwsCli) + " --endpoint-url " + Endpoint() + " ";
  }

  static bool HaveAwsCli() { return fs::exists(kAwsCli); }

  std::unique_ptr<ObjectStore> store_;
};

TEST_F(S3StoreFauxqsTest, PutThenGetReturnsTheBytesAndContentType) {
  std::string data = BinaryPayload();
  ASSERT_TRUE(store_->Put("images/one.png", data, "image/png").ok());
  auto object = store_->Get("images/one.png");
  ASSERT_TRUE(object.ok()) << object.status().ToString();
  EXPECT_EQ(object->data, data);
  EXPECT_EQ(object->info.key, "images/one.png");
  EXPECT_EQ(object->info.size, data.size());
  EXPECT_EQ(object->info.content_type, "image/png");
  EXPECT_TRUE(object->info.etag.starts_with('"')) << object->info.etag;
  EXPECT_GT(object->info.last_modified_ms, 0);
}

TEST_F(S3StoreFauxqsTest, HeadReportsTypeLengthEtagAndTime) {
  ASSERT_TRUE(store_->Put("h.png", "12345", "image/png").ok());
  auto info = store_->Head("h.png");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->size, 5u);
  EXPECT_EQ(info->content_type, "image/png");
  EXPECT_EQ(info->etag, "\"827ccb0eea8a706c4c34a16891f84e7b\"");  // MD5 of "12345"
  EXPECT_GT(info->last_modified_ms, 1'600'000'000'000);
}

TEST_F(S3StoreFauxqsTest, KeysWithSpacesUnicodeAndReservedCharactersRoundTrip) {
  const std::vector<std::string> keys = {"with space/a b.png", "unicode/\xC3\xBC\xE2\x82\xAC.png",
                                         "plus+equals=tilde~.png", "q?hash#pct%amp&.png"};
  for (const std::string& key : keys) {
    ASSERT_TRUE(store_->Put(key, "data:" + key, "image/png").ok()) << key;
  }
  for (const std::string& key : keys) {
    auto object = store_->Get(key);
    ASSERT_TRUE(object.ok()) << key << ": " << object.status().ToString();
    EXPECT_EQ(object->data, "data:" + key);
    EXPECT_TRUE(store_->Head(key).ok()) << key;
  }
  auto listed = store_->List("", 100);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  std::set<std::string> names;
  for (const ObjectInfo& info : *listed) names.insert(info.key);
  EXPECT_EQ(names, std::set<std::string>(keys.begin(), keys.end()));
}

TEST_F(S3StoreFauxqsTest, ListHonoursPrefixAndMaxKeysInKeyOrder) {
  for (const char* key : {"b/2", "a/1", "a/3", "a/2", "c"}) {
    ASSERT_TRUE(store_->Put(key, key, "text/plain").ok());
  }
  auto listed = store_->List("a/", 2);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].key, "a/1");
  EXPECT_EQ((*listed)[1].key, "a/2");
  EXPECT_EQ((*listed)[0].size, 3u);
}

TEST_F(S3StoreFauxqsTest, ListFollowsContinuationTokensAcrossPages) {
  auto paged = Open("s3://" + bucket_, /*page_size=*/2);
  std::vector<std::string> keys;
  for (int i = 0; i < 7; ++i) keys.push_back("p/" + std::to_string(i));
  for (const std::string& key : keys) ASSERT_TRUE(paged->Put(key, key, "text/plain").ok());
  auto all = paged->List("p/", 100);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 7u);
  for (size_t i = 0; i < keys.size(); ++i) EXPECT_EQ((*all)[i].key, keys[i]);
  auto five = paged->List("p/", 5);
  ASSERT_TRUE(five.ok());
  ASSERT_EQ(five->size(), 5u);
  EXPECT_EQ(five->back().key, "p/4");
}

// The store asks for at most 1000 keys a page (S3's cap): a longer listing takes two requests.
TEST_F(S3StoreFauxqsTest, ListReturnsMoreThanOneFullPage) {
  constexpr int kObjects = 1001;
  for (int i = 0; i < kObjects; ++i) {
    char key[32];
    std::snprintf(key, sizeof key, "many/%04d", i);
    ASSERT_TRUE(store_->Put(key, "", "text/plain").ok()) << key;
  }
  auto all = store_->List("many/", 5000);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), static_cast<size_t>(kObjects));
  EXPECT_EQ(all->front().key, "many/0000");
  EXPECT_EQ(all->back().key, "many/1000");
}

TEST_F(S3StoreFauxqsTest, AnEmptyObjectRoundTrips) {
  ASSERT_TRUE(store_->Put("empty.png", "", "image/png").ok());
  auto object = store_->Get("empty.png");
  ASSERT_TRUE(object.ok()) << object.status().ToString();
  EXPECT_EQ(object->data, "");
  EXPECT_EQ(object->info.size, 0u);
}

TEST_F(S3StoreFauxqsTest, AnEmptyContentTypeIsGuessedFromTheKey) {
  ASSERT_TRUE(store_->Put("guess.png", "x", "").ok());
  auto info = store_->Head("guess.png");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->content_type, "image/png");
}

TEST_F(S3StoreFauxqsTest, ASpecPrefixIsAppliedAndHiddenFromKeys) {
  auto prefixed = Open("s3://" + bucket_ + "/gallery/v1");
  ASSERT_TRUE(prefixed->Put("x.png", "px", "image/png").ok());
  EXPECT_EQ(prefixed->Location("x.png"), "s3://" + bucket_ + "/gallery/v1/x.png");
  auto raw = store_->Get("gallery/v1/x.png");
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  EXPECT_EQ(raw->data, "px");
  ASSERT_TRUE(store_->Put("outside.png", "o", "image/png").ok());
  auto listed = prefixed->List("", 10);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].key, "x.png");
}

TEST_F(S3StoreFauxqsTest, MissingBucketIsNotFoundNamingTheBucket) {
  auto missing = Open("s3://no-such-bucket-here");
  for (const Status& status : {missing->Get("k").status(), missing->Put("k", "x", "text/plain"),
                               missing->List("", 5).status()}) {
    EXPECT_TRUE(status.IsNotFound()) << status.ToString();
    // Said by the store, not only echoed from the server's message.
    EXPECT_NE(status.message().find("S3 bucket 'no-such-bucket-here' does not exist"),
              std::string::npos)
        << status.message();
  }
}

TEST_F(S3StoreFauxqsTest, PresignedUrlIsFetchedByPlainCurlWithoutCredentials) {
  std::string data = BinaryPayload();
  ASSERT_TRUE(store_->Put("shared/a b+c.png", data, "image/png").ok());
  std::optional<std::string> url = store_->DirectUrl("shared/a b+c.png", std::chrono::seconds(60));
  ASSERT_TRUE(url.has_value());
  EXPECT_TRUE(url->starts_with(Endpoint() + "/" + bucket_ + "/shared/a%20b%2Bc.png?")) << *url;
  EXPECT_NE(url->find("X-Amz-Expires=60"), std::string::npos);
  fs::path out = fs::temp_directory_path() / ("pictor-s3-presigned-" + bucket_);
  auto [rc, ignored] = RunCommand("env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY curl -sf -o " +
                                  ShellQuote(out.string()) + " " + ShellQuote(*url));
  ASSERT_EQ(rc, 0);
  EXPECT_EQ(ReadFile(out), data);
  fs::remove(out);
}

TEST_F(S3StoreFauxqsTest, AnObjectPutByPictorIsListedAndCopiedByTheAwsCli) {
  if (!HaveAwsCli()) GTEST_SKIP() << "needs the AWS CLI (Debian package awscli)";
  std::string data = BinaryPayload();
  const std::string key = "cli/\xC3\xBC a+b=c~.png";
  ASSERT_TRUE(store_->Put(key, data, "image/png").ok());
  auto [ls_rc, listing] = RunCommand(AwsCli() + "s3 ls --recursive s3://" + bucket_ + "/");
  ASSERT_EQ(ls_rc, 0);
  EXPECT_NE(listing.find(key), std::string::npos) << listing;
  fs::path out = fs::temp_directory_path() / ("pictor-s3-cli-" + bucket_);
  auto [cp_rc, ignored] =
      RunCommand(AwsCli() + "s3 cp --quiet " + ShellQuote("s3://" + bucket_ + "/" + key) + " " +
                 ShellQuote(out.string()));
  ASSERT_EQ(cp_rc, 0);
  EXPECT_EQ(ReadFile(out), data);
  fs::remove(out);
}

TEST_F(S3StoreFauxqsTest, AnObjectPutByTheAwsCliIsReadByPictor) {
  if (!HaveAwsCli()) GTEST_SKIP() << "needs the AWS CLI (Debian package awscli)";
  std::string data = BinaryPayload();
  fs::path in = fs::temp_directory_path() / ("pictor-s3-cli-in-" + bucket_);
  std::ofstream(in, std::ios::binary) << data;
  const std::string key = "from cli/\xE2\x82\xAC+=.png";
  auto [rc, ignored] =
      RunCommand(AwsCli() + "s3 cp --quiet --content-type image/png " + ShellQuote(in.string()) +
                 " " + ShellQuote("s3://" + bucket_ + "/" + key));
  fs::remove(in);
  ASSERT_EQ(rc, 0);
  auto object = store_->Get(key);
  ASSERT_TRUE(object.ok()) << object.status().ToString();
  EXPECT_EQ(object->data, data);
  EXPECT_EQ(object->info.content_type, "image/png");
}

TEST_F(S3StoreFauxqsTest, TwentyThreadsPutConcurrently) {
  constexpr int kThreads = 20;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::string key = "concurrent/" + std::to_string(100 + t) + ".png";
      if (!store_->Put(key, std::string(1000 + t, static_cast<char>('a' + t)), "image/png").ok()) {
        ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  auto listed = store_->List("concurrent/", 100);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), static_cast<size_t>(kThreads));
  for (int t = 0; t < kThreads; ++t) {
    auto object = store_->Get("concurrent/" + std::to_string(100 + t) + ".png");
    ASSERT_TRUE(object.ok());
    EXPECT_EQ(object->data, std::string(1000 + t, static_cast<char>('a' + t)));
  }
}

TEST_F(S3StoreFauxqsTest, PutIfAbsentUnderASpecPrefixChecksThePrefixedKey) {
  auto prefixed = Open("s3://" + bucket_ + "/ledger");
  ASSERT_TRUE(store_->Put("k.json", "outside the prefix", "").ok());
  ASSERT_TRUE(prefixed->PutIfAbsent("k.json", "inside", "").ok());
  EXPECT_EQ(prefixed->PutIfAbsent("k.json", "again", "").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->Get("ledger/k.json")->data, "inside");
}

TEST_F(S3StoreFauxqsTest, PutIfAbsentInAMissingBucketIsNotFound) {
  auto missing = Open("s3://no-such-bucket-here");
  Status s = missing->PutIfAbsent("k", "x", "");
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
}

TEST_F(S3StoreFauxqsTest, DeletingAMissingObjectIsOkButAMissingBucketIsNot) {
  EXPECT_TRUE(store_->Delete("never.json").ok());
  Status s = Open("s3://no-such-bucket-here")->Delete("k");
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_NE(s.message().find("S3 bucket 'no-such-bucket-here' does not exist"), std::string::npos)
      << s.message();
}

}  // namespace
}  // namespace pictor
