// Element text and character references of AWS's XML answers, and reading STS's answers.
#include "aws/xml_text.h"

#include <gtest/gtest.h>

#include "aws/sts.h"

namespace pictor::aws {
namespace {

TEST(XmlTextTest, FindsElementsWithOrWithoutAttributes) {
  EXPECT_EQ(XmlElementText("<a><Code>X</Code></a>", "Code"), "X");
  EXPECT_EQ(XmlElementText(R"(<Code xmlns="urn:x">Y</Code>)", "Code"), "Y");
  EXPECT_EQ(XmlElementText("<CodeName>no</CodeName><Code>yes</Code>", "Code"), "yes");
  EXPECT_EQ(XmlElementText("<Code>unterminated", "Code"), "");
  EXPECT_FALSE(XmlElementContent("<Code/>", "Code"));
}

TEST(XmlTextTest, DecodesNamedAndNumericReferences) {
  EXPECT_EQ(XmlUnescape("a&amp;b&lt;&gt;&quot;&apos;"), "a&b<>\"'");
  EXPECT_EQ(XmlUnescape("&#65;&#x42;&#x20AC;"), "AB\xE2\x82\xAC");
  EXPECT_EQ(XmlUnescape("&unknown; &#xD800; &#; &#12"), "&unknown; &#xD800; &#; &#12");
}

constexpr char kAnswer[] = R"(<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <SourceIdentity>Alice</SourceIdentity>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/demo/TestAR</Arn>
      <AssumedRoleId>ARO123EXAMPLE123:TestAR</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <SessionToken>AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQW&#x2B;x</SessionToken>
      <Expiration>2019-11-09T13:34:41Z</Expiration>
    </Credentials>
    <PackedPolicySize>6</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
</AssumeRoleResponse>)";

TEST(StsAnswerTest, ReadsTheDocumentedAnswer) {
  Result<TimedCredentials> found = ReadStsCredentials(kAnswer, "test");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->credentials.access_key_id, "ASIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(found->credentials.secret_access_key, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
  EXPECT_TRUE(found->credentials.session_token.ends_with("+x"));
  ASSERT_TRUE(found->expiration);
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*found->expiration), 1573306481);
}

TEST(StsAnswerTest, AnswersWithoutCredentialsAreInternalAndNotQuoted) {
  std::string partial = kAnswer;
  partial.replace(partial.find("<Expiration>"), 12, "<Expired>");
  for (const std::string& bad : {std::string("<x/>"), std::string(""), partial}) {
    Result<TimedCredentials> found = ReadStsCredentials(bad, "test");
    ASSERT_FALSE(found.ok());
    EXPECT_EQ(found.status().code(), StatusCode::kInternal);
    EXPECT_EQ(found.status().message().find("wJalrXUtnFEMI"), std::string::npos);
  }
}

TEST(StsAnswerTest, ErrorStatusesFollowTheTable) {
  auto status = [](long http, const std::string& code) {
    net::HttpReply reply;
    reply.status = http;
    reply.body = "<ErrorResponse><Error><Type>Sender</Type><Code>" + code +
                 "</Code><Message>m</Message></Error></ErrorResponse>";
    return StsStatus(reply, "STS", {}).code();
  };
  EXPECT_EQ(status(400, "Throttling"), StatusCode::kUnavailable);
  EXPECT_EQ(status(503, "ServiceUnavailable"), StatusCode::kUnavailable);
  EXPECT_EQ(status(400, "IDPCommunicationError"), StatusCode::kUnavailable);
  EXPECT_EQ(status(403, "AccessDenied"), StatusCode::kPermissionDenied);
  EXPECT_EQ(status(400, "InvalidIdentityToken"), StatusCode::kPermissionDenied);
  EXPECT_EQ(status(400, "ExpiredTokenException"), StatusCode::kPermissionDenied);
  EXPECT_EQ(status(400, "IDPRejectedClaim"), StatusCode::kPermissionDenied);
  EXPECT_EQ(status(403, "RegionDisabledException"), StatusCode::kPermissionDenied);
  EXPECT_EQ(status(400, "MalformedPolicyDocument"), StatusCode::kInvalidArgument);
  EXPECT_EQ(status(400, "ValidationError"), StatusCode::kInvalidArgument);
  EXPECT_EQ(status(408, "RequestTimeout"), StatusCode::kDeadlineExceeded);
}

}  // namespace
}  // namespace pictor::aws
