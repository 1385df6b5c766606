// S3 store settings without a server: spec parsing, BUCKET_NAME, endpoint resolution, URL
// building (virtual-hosted and path style), Location and presigned URLs.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/s3/s3_store.h"

namespace pictor {
namespace {

// Sets the AWS variables the store reads to known values for one test and restores them.
class ScopedEnv {
 public:
  ScopedEnv() {
    for (const char* name :
         {"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_REGION", "AWS_DEFAULT_REGION",
          "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_CONFIG_FILE", "BUCKET_NAME"}) {
      const char* value = std::getenv(name);
      saved_.emplace_back(name, value ? std::optional<std::string>(value) : std::nullopt);
      ::unsetenv(name);
    }
    ::setenv("AWS_CONFIG_FILE", "/nonexistent/pictor-test-config", 1);
  }
  ~ScopedEnv() {
    for (const auto& [name, value] : saved_) {
      if (value) {
        ::setenv(name.c_str(), value->c_str(), 1);
      } else {
        ::unsetenv(name.c_str());
      }
    }
  }
  void Set(const char* name, const char* value) { ::setenv(name, value, 1); }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

S3StoreOptions Resolved(std::string bucket, std::string region, std::string endpoint = "") {
  S3StoreOptions options;
  options.bucket = std::move(bucket);
  options.region = std::move(region);
  options.endpoint = std::move(endpoint);
  return options;
}

TEST(ParseS3Spec, ReadsBucketAlone) {
  auto options = ParseS3Spec("s3://my-bucket");
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->bucket, "my-bucket");
  EXPECT_EQ(options->prefix, "");
}

TEST(ParseS3Spec, ReadsBucketAndPrefix) {
  auto options = ParseS3Spec("s3://b.with.dots/p/q/");
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->bucket, "b.with.dots");
  EXPECT_EQ(options->prefix, "p/q");
}

TEST(ParseS3Spec, RejectsBadSpecsNamingTheForm) {
  for (const char* spec :
       {"s3:/bucket", "s3://", "s3:///prefix", "file:/tmp/x", "S3://bucket", "s3://b",
        "s3://bad bucket", "s3://bucket?versionId=1", "s3://bucket/a//b", "s3://bucket/../x"}) {
    auto options = ParseS3Spec(spec);
    ASSERT_FALSE(options.ok()) << spec;
    EXPECT_TRUE(options.status().IsInvalidArgument()) << spec;
    EXPECT_NE(options.status().message().find("s3://bucket/prefix"), std::string::npos)
        << options.status().message();
  }
}

TEST(S3OptionsFromEnvironment, ReadsBucketName) {
  ScopedEnv env;
  env.Set("BUCKET_NAME", "images-bucket");
  auto options = S3OptionsFromEnvironment();
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->bucket, "images-bucket");
  EXPECT_EQ(options->prefix, "");  // KEY_PREFIX belongs to core, never to the store
}

TEST(S3OptionsFromEnvironment, MissingBucketNameIsInvalidArgument) {
  ScopedEnv env;
  auto options = S3OptionsFromEnvironment();
  ASSERT_FALSE(options.ok());
  EXPECT_TRUE(options.status().IsInvalidArgument());
  EXPECT_NE(options.status().message().find("BUCKET_NAME"), std::string::npos);
}

TEST(ResolveS3Options, UsesEnvironmentRegionAndCustomEndpoint) {
  ScopedEnv env;
  env.Set("AWS_REGION", "eu-west-3");
  env.Set("AWS_ENDPOINT_URL", "http://127.0.0.1:9000/");
  auto options = ResolveS3Options(Resolved("b-1", ""));
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->region, "eu-west-3");
  EXPECT_EQ(options->endpoint, "http://127.0.0.1:9000");
}

TEST(ResolveS3Options, PrefersTheS3EndpointVariable) {
  ScopedEnv env;
  env.Set("AWS_ENDPOINT_URL", "http://127.0.0.1:1");
  env.Set("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:2");
  auto options = ResolveS3Options(Resolved("b-1", "us-east-1"));
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->endpoint, "http://127.0.0.1:2");
}

TEST(ResolveS3Options, WithoutConfigurationTalksToAwsInUsEast1) {
  ScopedEnv env;
  auto options = ResolveS3Options(Resolved("b-1", ""));
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->region, "us-east-1");
  EXPECT_EQ(options->endpoint, "");
}

TEST(ResolveS3Options, RejectsAPageSizeAboveS3sLimit) {
  ScopedEnv env;
  S3StoreOptions options = Resolved("b-1", "us-east-1");
  options.list_page_size = 1001;
  EXPECT_TRUE(ResolveS3Options(options).status().IsInvalidArgument());
}

TEST(IsVirtualHostableBucket, AcceptsOnlyPlainDnsLabels) {
  EXPECT_TRUE(IsVirtualHostableBucket("my-bucket-1"));
  EXPECT_FALSE(IsVirtualHostableBucket("my.bucket"));
  EXPECT_FALSE(IsVirtualHostableBucket("My_Bucket"));
  EXPECT_FALSE(IsVirtualHostableBucket("-bucket"));
  EXPECT_FALSE(IsVirtualHostableBucket("ab"));
  EXPECT_FALSE(IsVirtualHostableBucket(std::string(64, 'a')));
}

TEST(S3ObjectUrl, IsVirtualHostedOnAws) {
  EXPECT_EQ(S3ObjectUrl(Resolved("pics", "eu-west-1"), "a/b.png"),
            "https://pics.s3.eu-west-1.amazonaws.com/a/b.png");
}

TEST(S3ObjectUrl, IsPathStyleOnAwsForADottedBucket) {
  EXPECT_EQ(S3ObjectUrl(Resolved("pics.example.com", "us-east-1"), "k.png"),
            "https://s3.us-east-1.amazonaws.com/pics.example.com/k.png");
}

TEST(S3ObjectUrl, IsPathStyleWhenForced) {
  S3StoreOptions options = Resolved("pics", "us-west-2");
  options.force_path_style = true;
  EXPECT_EQ(S3ObjectUrl(options, "k"), "https://s3.us-west-2.amazonaws.com/pics/k");
}

TEST(S3ObjectUrl, IsPathStyleOnACustomEndpoint) {
  EXPECT_EQ(S3ObjectUrl(Resolved("pics", "us-east-1", "http://127.0.0.1:9000/base"), "k"),
            "http://127.0.0.1:9000/base/pics/k");
}

TEST(S3ObjectUrl, EncodesEveryByteButUnreservedAndSlash) {
  EXPECT_EQ(S3ObjectUrl(Resolved("pics", "us-east-1", "http://h"), "a b/ü+=~*'().png"),
            "http://h/pics/a%20b/%C3%BC%2B%3D~%2A%27%28%29.png");
}

// An HTTP client that must not be called: building URLs and presigning do no I/O.
class NoNetwork : public net::HttpClient {
 public:
  Result<net::HttpReply> Perform(const net::HttpCall& call) override {
    ADD_FAILURE() << "unexpected request to " << call.url;
    return Status::Unavailable("no network in this test");
  }
};

aws::CredentialsProvider FixedCredentials() {
  return aws::CredentialsProvider([]() -> Result<aws::TimedCredentials> {
    aws::TimedCredentials timed;
    timed.credentials = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
    timed.source = "explicit";
    return timed;
  });
}

TEST(S3Store, LocationNamesBucketAndFullKey) {
  ScopedEnv env;
  NoNetwork http;
  aws::CredentialsProvider credentials = FixedCredentials();
  S3StoreOptions options = Resolved("pics", "us-east-1");
  options.prefix = "gallery";
  auto store = OpenS3Store(options, http, credentials);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->Location("2024/a b.png"), "s3://pics/gallery/2024/a b.png");
}

TEST(S3Store, DirectUrlIsAPresignedVirtualHostedGet) {
  ScopedEnv env;
  NoNetwork http;
  aws::CredentialsProvider credentials = FixedCredentials();
  auto store = OpenS3Store(Resolved("pics", "eu-west-1"), http, credentials);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::optional<std::string> url = (*store)->DirectUrl("a b.png", std::chrono::seconds(900));
  ASSERT_TRUE(url.has_value());
  EXPECT_TRUE(url->starts_with("https://pics.s3.eu-west-1.amazonaws.com/a%20b.png?")) << *url;
  EXPECT_NE(url->find("X-Amz-Expires=900"), std::string::npos) << *url;
  EXPECT_NE(url->find("X-Amz-Algorithm=AWS4-HMAC-SHA256"), std::string::npos);
  EXPECT_NE(url->find("X-Amz-Signature="), std::string::npos);
  EXPECT_EQ(url->find("wJalrXUtnFEMI"), std::string::npos);  // the secret never appears
}

// Single-quotes `s` for /bin/sh.
std::string ShellQuote(std::string_view s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The presigned URL is what botocore computes for the same key, time and scope: checked by an
// independent SigV4 implementation, since the test server does not verify signatures.
TEST(S3Store, DirectUrlSignatureAgreesWithBotocore) {
  if (std::system("/usr/bin/python3 -c 'import botocore' 2>/dev/null") != 0) {
    GTEST_SKIP() << "needs /usr/bin/python3 with botocore (Debian package python3-botocore)";
  }
  ScopedEnv env;
  NoNetwork http;
  aws::CredentialsProvider credentials = FixedCredentials();
  const std::string check = PICTOR_PRESIGNED_URL_CHECK;
  for (const char* bucket : {"pics", "pics.example.com"}) {
    auto store = OpenS3Store(Resolved(bucket, "eu-west-1"), http, credentials);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    std::optional<std::string> url =
        (*store)->DirectUrl("a b/\xC3\xBC+=~*.png", std::chrono::seconds(3600));
    ASSERT_TRUE(url.has_value());
    std::string command = "/usr/bin/python3 " + ShellQuote(check) + " " + ShellQuote(*url) + " " +
                          ShellQuote("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    int status = std::system(command.c_str());
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << *url;
  }
}

TEST(S3Store, DirectUrlOfABadKeyIsNone) {
  ScopedEnv env;
  NoNetwork http;
  aws::CredentialsProvider credentials = FixedCredentials();
  auto store = OpenS3Store(Resolved("pics", "eu-west-1"), http, credentials);
  ASSERT_TRUE(store.ok());
  EXPECT_FALSE((*store)->DirectUrl("../x", std::chrono::seconds(60)).has_value());
}

TEST(S3Store, RejectsABadKeyBeforeAnyCall) {
  ScopedEnv env;
  NoNetwork http;
  aws::CredentialsProvider credentials = FixedCredentials();
  auto store = OpenS3Store(Resolved("pics", "eu-west-1"), http, credentials);
  ASSERT_TRUE(store.ok());
  EXPECT_TRUE((*store)->Put("/abs", "x", "text/plain").IsInvalidArgument());
  EXPECT_TRUE((*store)->Get("a//b").status().IsInvalidArgument());
  EXPECT_TRUE((*store)->Head("").status().IsInvalidArgument());
}

}  // namespace
}  // namespace pictor
