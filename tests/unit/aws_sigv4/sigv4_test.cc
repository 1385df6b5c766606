// Behaviour of the signer beyond the AWS suite: input checks, S3 path rules, secrecy.
#include "aws/sigv4.h"
#include "core/digest.h"
#include "core/hex.h"
#include "core/percent_encoding.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>

namespace pictor::aws {
namespace {

constexpr char kSecret[] = "pictor/Secret+Key=odd~chars%25";

Credentials TestCredentials(std::string token = "") {
  return {"AKIDPICTOR", kSecret, std::move(token)};
}

SigningParams TestParams(bool s3_mode = false) {
  SigningParams params;
  params.service = s3_mode ? "s3" : "sqs";
  params.region = "eu-west-3";
  params.time = std::chrono::system_clock::from_time_t(1773500966);  // 2026-03-14T15:09:26Z
  params.s3_mode = s3_mode;
  return params;
}

SigningRequest TestRequest(std::string path = "/") {
  SigningRequest request;
  request.method = "GET";
  request.path = std::move(path);
  request.headers = {{"Host", "pictor.example.com"}};
  return request;
}

// The second line of a canonical request.
std::string CanonicalPath(const std::string& canonical_request) {
  size_t start = canonical_request.find('\n') + 1;
  return canonical_request.substr(start, canonical_request.find('\n', start) - start);
}

TEST(SigV4Test, AmzDateIsBasicIso8601InUtc) {
  EXPECT_EQ(AmzDate(TestParams().time), "20260314T150926Z");
}

TEST(SigV4Test, SigningKeyMatchesTheAwsDocumentationExample) {
  EXPECT_EQ(HexEncode(DeriveSigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215",
                                       "us-east-1", "iam")),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

TEST(SigV4Test, SecretKeyAppearsInNeitherAuthorizationNorPresignedUrl) {
  const Credentials credentials = TestCredentials("session-token");
  Result<SignedParts> header = SignHeaders(TestRequest(), credentials, TestParams());
  Result<std::string> url =
      PresignUrl(TestRequest(), credentials, TestParams(true), std::chrono::seconds(60));
  ASSERT_TRUE(header.ok() && url.ok());
  for (const std::string& secret : {std::string(kSecret), PercentEncode(kSecret)}) {
    EXPECT_EQ(header->authorization.find(secret), std::string::npos);
    for (const auto& [name, value] : header->added_headers) {
      EXPECT_EQ(value.find(secret), std::string::npos) << name;
    }
    EXPECT_EQ(header->canonical_request.find(secret), std::string::npos);
    EXPECT_EQ(url->find(secret), std::string::npos);
  }
}

TEST(SigV4Test, RejectsRequestWithoutHostHeader) {
  SigningRequest request = TestRequest();
  request.headers.clear();
  Result<SignedParts> parts = SignHeaders(request, TestCredentials(), TestParams());
  ASSERT_FALSE(parts.ok());
  EXPECT_TRUE(parts.status().IsInvalidArgument());
}

TEST(SigV4Test, RejectsEmptySecretKey) {
  Result<SignedParts> parts = SignHeaders(TestRequest(), {"AKIDPICTOR", "", ""}, TestParams());
  EXPECT_FALSE(parts.ok());
}

TEST(SigV4Test, PresignRejectsExpiryOutsideOneSecondToSevenDays) {
  EXPECT_FALSE(
      PresignQuery(TestRequest(), TestCredentials(), TestParams(), std::chrono::seconds(0)).ok());
  EXPECT_FALSE(PresignQuery(TestRequest(), TestCredentials(), TestParams(),
                            std::chrono::seconds(7 * 24 * 3600 + 1))
                   .ok());
  EXPECT_TRUE(PresignQuery(TestRequest(), TestCredentials(), TestParams(),
                           std::chrono::seconds(7 * 24 * 3600))
                  .ok());
}

TEST(SigV4Test, DefaultModeEncodesAnEncodedPathAgain) {
  Result<SignedParts> parts = SignHeaders(TestRequest("/a%20b"), TestCredentials(), TestParams());
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(CanonicalPath(parts->canonical_request), "/a%2520b");
}

TEST(SigV4Test, S3ModeSignsPathExactlyAsSent) {
  Result<SignedParts> parts =
      SignHeaders(TestRequest("/a%20b/./c//d"), TestCredentials(), TestParams(true));
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(CanonicalPath(parts->canonical_request), "/a%20b/./c//d");
}

TEST(SigV4Test, S3ModeAddsSignedContentSha256Header) {
  SigningRequest request = TestRequest();
  request.payload_sha256 = std::string(kUnsignedPayload);
  Result<SignedParts> parts = SignHeaders(request, TestCredentials(), TestParams(true));
  ASSERT_TRUE(parts.ok());
  EXPECT_NE(parts->canonical_request.find("\nx-amz-content-sha256:UNSIGNED-PAYLOAD\n"),
            std::string::npos);
  EXPECT_NE(parts->authorization.find("SignedHeaders=host;x-amz-content-sha256;x-amz-date,"),
            std::string::npos);
}

TEST(SigV4Test, UserAgentHeaderIsNotSigned) {
  SigningRequest request = TestRequest();
  request.headers.emplace_back("User-Agent", "pictor/0.1");
  Result<SignedParts> with_agent = SignHeaders(request, TestCredentials(), TestParams());
  Result<SignedParts> without = SignHeaders(TestRequest(), TestCredentials(), TestParams());
  ASSERT_TRUE(with_agent.ok() && without.ok());
  EXPECT_EQ(with_agent->signature, without->signature);
}

TEST(SigV4Test, QueryParameterOrderDoesNotChangeSignature) {
  SigningRequest forward = TestRequest();
  forward.query = {{"Action", "SendMessage"}, {"MessageBody", "a b+c"}};
  SigningRequest backward = forward;
  std::swap(backward.query[0], backward.query[1]);
  Result<SignedParts> a = SignHeaders(forward, TestCredentials(), TestParams());
  Result<SignedParts> b = SignHeaders(backward, TestCredentials(), TestParams());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->signature, b->signature);
}

TEST(SigV4Test, SessionTokenIsSentAsHeaderAndSigned) {
  Result<SignedParts> parts = SignHeaders(TestRequest(), TestCredentials("tok+en/="), TestParams());
  ASSERT_TRUE(parts.ok());
  EXPECT_NE(std::find(parts->added_headers.begin(), parts->added_headers.end(),
                      std::pair<std::string, std::string>("X-Amz-Security-Token", "tok+en/=")),
            parts->added_headers.end());
  EXPECT_NE(parts->canonical_request.find("\nx-amz-security-token:tok+en/=\n"), std::string::npos);
}

TEST(SigV4Test, PresignedUrlStartsWithSchemeHostAndPathAndEndsWithSignature) {
  Result<std::string> url = PresignUrl(TestRequest("/images/k%20ey.png"), TestCredentials(),
                                       TestParams(true), std::chrono::seconds(900), "http");
  Result<SignedParts> parts = PresignQuery(TestRequest("/images/k%20ey.png"), TestCredentials(),
                                           TestParams(true), std::chrono::seconds(900));
  ASSERT_TRUE(url.ok() && parts.ok());
  EXPECT_TRUE(url->starts_with("http://pictor.example.com/images/k%20ey.png?")) << *url;
  EXPECT_TRUE(url->ends_with("&X-Amz-Signature=" + parts->signature)) << *url;
}

}  // namespace
}  // namespace pictor::aws
