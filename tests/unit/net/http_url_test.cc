// URL parsing for the HTTP client: what is sent as Host and target, and what is refused.
#include "net/http_url.h"

#include <gtest/gtest.h>

namespace pictor::net {
namespace {

TEST(HttpUrlTest, TakesTheDefaultPortAndLeavesItOutOfTheAuthority) {
  Result<HttpUrl> url = ParseHttpUrl("https://Bucket.S3.amazonaws.com/key");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_TRUE(url->tls);
  EXPECT_EQ(url->host, "bucket.s3.amazonaws.com");
  EXPECT_EQ(url->port, 443);
  EXPECT_EQ(url->authority, "bucket.s3.amazonaws.com");
  EXPECT_EQ(url->target, "/key");
  EXPECT_EQ(url->Origin(), "https://bucket.s3.amazonaws.com:443");
}

TEST(HttpUrlTest, KeepsAnExplicitPortInTheAuthority) {
  Result<HttpUrl> url = ParseHttpUrl("http://127.0.0.1:9001/2018-06-01/runtime/invocation/next");
  ASSERT_TRUE(url.ok());
  EXPECT_FALSE(url->tls);
  EXPECT_EQ(url->port, 9001);
  EXPECT_EQ(url->authority, "127.0.0.1:9001");
  EXPECT_EQ(url->target, "/2018-06-01/runtime/invocation/next");
}

TEST(HttpUrlTest, KeepsPathAndQueryExactlyAndDropsTheFragment) {
  Result<HttpUrl> url = ParseHttpUrl("http://h/a%2Fb/%7Ec?list-type=2&prefix=a%2F#part");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->target, "/a%2Fb/%7Ec?list-type=2&prefix=a%2F");
  EXPECT_EQ(url->ForMessages(), "http://h/a%2Fb/%7Ec");
}

TEST(HttpUrlTest, AnEmptyPathIsTheRoot) {
  EXPECT_EQ(ParseHttpUrl("http://h")->target, "/");
  EXPECT_EQ(ParseHttpUrl("http://h?x=1")->target, "/?x=1");
  EXPECT_EQ(ParseHttpUrl("http://h:8080")->authority, "h:8080");
}

TEST(HttpUrlTest, AcceptsIpv6Literals) {
  Result<HttpUrl> url = ParseHttpUrl("http://[::1]:8080/x");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 8080);
  EXPECT_EQ(url->authority, "[::1]:8080");
  EXPECT_EQ(ParseHttpUrl("https://[2001:db8::7]/")->authority, "[2001:db8::7]");
}

TEST(HttpUrlTest, RefusesOtherSchemesByName) {
  Result<HttpUrl> url = ParseHttpUrl("ftp://h/x");
  ASSERT_FALSE(url.ok());
  EXPECT_EQ(url.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(url.status().message().find("ftp"), std::string::npos);
}

TEST(HttpUrlTest, RefusesMalformedUrls) {
  for (const char* text :
       {"", "h/x", "://h/", "http://", "http:///x", "http://h:0/", "http://h:65536/",
        "http://h:8o/", "http://[::1/", "http://[::1]x/", "http://[nope]/", "http://::1/",
        "http://a b/", "http://h/a b", "http://h/a\r\nX: y", "http://u:p@h/"}) {
    EXPECT_EQ(ParseHttpUrl(text).status().code(), StatusCode::kInvalidArgument) << text;
  }
}

TEST(HttpUrlTest, MessagesAboutUnparsedUrlsDropQueryAndUserInformation) {
  EXPECT_EQ(UnparsedUrlForMessages("http://u:secret@h/p?X-Amz-Signature=s#f"), "http://h/p");
  EXPECT_EQ(UnparsedUrlForMessages("gopher://h/a@b?q"), "gopher://h/a@b");
}

TEST(HttpUrlTest, FormatsAuthorities) {
  EXPECT_EQ(FormatAuthority("h", 443), "h:443");
  EXPECT_EQ(FormatAuthority("h", 443, 443), "h");
  EXPECT_EQ(FormatAuthority("::1", 80, 80), "[::1]");
  EXPECT_EQ(FormatAuthority("::1", 81, 80), "[::1]:81");
}

}  // namespace
}  // namespace pictor::net
