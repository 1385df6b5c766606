// Parsing of every AWS error shape, and the translation to Status.
#include "aws/error.h"

#include <gtest/gtest.h>

namespace pictor::aws {
namespace {

struct ParseCase {
  const char* name;
  net::HttpReply reply;
  std::string code, message, request_id;
};

class ParseAwsErrorTest : public ::testing::TestWithParam<ParseCase> {};

TEST_P(ParseAwsErrorTest, ReadsCodeMessageAndRequestId) {
  const ParseCase& c = GetParam();
  AwsError error = ParseAwsError(c.reply);
  EXPECT_EQ(error.http_status, c.reply.status);
  EXPECT_EQ(error.code, c.code);
  EXPECT_EQ(error.message, c.message);
  EXPECT_EQ(error.request_id, c.request_id);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, ParseAwsErrorTest,
    ::testing::Values(
        ParseCase{"JsonTypeWithNamespace",
                  {400,
                   {{"x-amzn-RequestId", "r-1"}},
                   R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"no queue"})"},
                  "QueueDoesNotExist",
                  "no queue",
                  "r-1"},
        ParseCase{"JsonQueryErrorHeaderWins",
                  {400,
                   {{"x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender"},
                    {"X-Amzn-Requestid", "r-2"}},
                   R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","Message":"gone"})"},
                  "AWS.SimpleQueueService.NonExistentQueue",
                  "gone",
                  "r-2"},
        ParseCase{"JsonLegacyDottedType",
                  {400, {}, R"({"__type":"AWS.SimpleQueueService.NonExistentQueue"})"},
                  "AWS.SimpleQueueService.NonExistentQueue",
                  "",
                  ""},
        ParseCase{"RestJsonErrorTypeHeader",
                  {400,
                   {{"x-amzn-ErrorType", "ValidationException:http://internal.amazon.com/x/"},
                    {"x-amzn-RequestId", "r-3"}},
                   R"({"message":"Malformed input request"})"},
                  "ValidationException",
                  "Malformed input request",
                  "r-3"},
        ParseCase{"S3Xml",
                  {404,
                   {{"x-amz-request-id", "hdr"}},
                   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code>"
                   "<Message>The specified key does not exist.</Message><Key>a&amp;b</Key>"
                   "<RequestId>r-4</RequestId></Error>"},
                  "NoSuchKey",
                  "The specified key does not exist.",
                  "r-4"},
        ParseCase{"QueryXmlWithEntities",
                  {400,
                   {},
                   "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameterValue</Code>"
                   "<Message>a &lt; b &amp; c</Message></Error><RequestId>r-5</RequestId>"
                   "</ErrorResponse>"},
                  "InvalidParameterValue",
                  "a < b & c",
                  "r-5"},
        ParseCase{
            "HeadWithoutBody", {404, {{"x-amz-request-id", "r-6"}}, ""}, "NotFound", "", "r-6"},
        ParseCase{"ForbiddenHeadWithoutBody", {403, {}, ""}, "Forbidden", "", ""},
        ParseCase{"UnreadableJson", {500, {}, "{not json"}, "InternalError", "", ""},
        ParseCase{"PlainText", {502, {}, "Bad Gateway"}, "Http502", "", ""}),
    [](const ::testing::TestParamInfo<ParseCase>& info) { return std::string(info.param.name); });

struct MapCase {
  int status;
  std::string code;
  StatusCode want;
};

TEST(ToStatusTest, MapsEachErrorFamilyToItsCode) {
  const MapCase cases[] = {
      {404, "NoSuchKey", StatusCode::kNotFound},
      {404, "NoSuchBucket", StatusCode::kNotFound},
      {400, "AWS.SimpleQueueService.NonExistentQueue", StatusCode::kNotFound},
      {400, "QueueDoesNotExist", StatusCode::kNotFound},
      {404, "NotFound", StatusCode::kNotFound},
      {400, "ValidationException", StatusCode::kInvalidArgument},
      {400, "InvalidParameterValue", StatusCode::kInvalidArgument},
      {403, "AccessDenied", StatusCode::kPermissionDenied},
      {403, "SignatureDoesNotMatch", StatusCode::kPermissionDenied},
      {401, "Unauthorized", StatusCode::kPermissionDenied},
      {400, "ExpiredToken", StatusCode::kPermissionDenied},
      {400, "ThrottlingException", StatusCode::kResourceExhausted},
      {503, "SlowDown", StatusCode::kResourceExhausted},
      {429, "TooManyRequestsException", StatusCode::kResourceExhausted},
      {400, "RequestTimeout", StatusCode::kDeadlineExceeded},
      {408, "ModelTimeoutException", StatusCode::kDeadlineExceeded},
      {500, "InternalError", StatusCode::kUnavailable},
      {503, "ServiceUnavailable", StatusCode::kUnavailable},
      {424, "ModelNotReadyException", StatusCode::kUnavailable},
      {409, "BucketAlreadyOwnedByYou", StatusCode::kAlreadyExists},
      {400, "ReceiptHandleIsInvalid", StatusCode::kFailedPrecondition},
      {412, "PreconditionFailed", StatusCode::kFailedPrecondition},
      {413, "EntityTooLarge", StatusCode::kPayloadTooLarge},
  };
  for (const MapCase& c : cases) {
    Status status = ToStatus({c.status, c.code, "m", "rid"});
    EXPECT_EQ(status.code(), c.want) << c.code << " -> " << status.ToString();
    EXPECT_EQ(status.peer_http_status(), c.status) << c.code;
    EXPECT_EQ(status.peer_code(), c.code);
  }
}

struct PeerCase {
  const char* name;
  net::HttpReply reply;
  int http_status;
  std::string code;
};

class ReplyToStatusPeerTest : public ::testing::TestWithParam<PeerCase> {};

// Every reply shape leaves the service's answer on the Status as data.
TEST_P(ReplyToStatusPeerTest, CarriesTheHttpStatusAndTheCode) {
  const PeerCase& c = GetParam();
  Status status = ReplyToStatus(c.reply).WithContext("svc");
  EXPECT_EQ(status.peer_http_status(), c.http_status) << status.ToString();
  EXPECT_EQ(status.peer_code(), c.code) << status.ToString();
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, ReplyToStatusPeerTest,
    ::testing::Values(
        PeerCase{"Json",
                 {400, {}, R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"m"})"},
                 400,
                 "QueueDoesNotExist"},
        PeerCase{"JsonQueryErrorHeader",
                 {400,
                  {{"x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender"}},
                  R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist"})"},
                 400,
                 "AWS.SimpleQueueService.NonExistentQueue"},
        PeerCase{"ErrorTypeHeader",
                 {429, {{"x-amzn-ErrorType", "ThrottlingException:http://x/"}}, "{}"},
                 429,
                 "ThrottlingException"},
        PeerCase{"Xml",
                 {404, {}, "<Error><Code>NoSuchBucket</Code><Message>m</Message></Error>"},
                 404,
                 "NoSuchBucket"},
        PeerCase{"NoBody", {412, {}, ""}, 412, "PreconditionFailed"},
        PeerCase{"NoBodyUnnamedStatus", {418, {}, ""}, 418, "Http418"},
        PeerCase{"PlainText", {502, {}, "Bad Gateway"}, 502, "Http502"}),
    [](const ::testing::TestParamInfo<PeerCase>& info) { return std::string(info.param.name); });

// The HTTP status is data, not text: a message quoting another status changes nothing.
TEST(ToStatusTest, PeerStatusComesFromTheReplyNotTheMessage) {
  net::HttpReply reply{400, {}, "<Error><Code>Custom</Code><Message>(HTTP 412)</Message></Error>"};
  Status status = ReplyToStatus(reply);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.peer_http_status(), 400);
  EXPECT_EQ(status.peer_code(), "Custom");
}

TEST(ToStatusTest, AnOverlongCodeIsCut) {
  net::HttpReply reply{400, {}, R"({"__type":")" + std::string(1000, 'C') + R"("})"};
  EXPECT_EQ(ReplyToStatus(reply).peer_code(), std::string(128, 'C'));
}

TEST(ToStatusTest, MessageCarriesCodeMessageAndRequestId) {
  Status status = ToStatus({404, "NoSuchKey", "The key is gone.", "REQ123"});
  EXPECT_NE(status.message().find("NoSuchKey"), std::string::npos);
  EXPECT_NE(status.message().find("The key is gone."), std::string::npos);
  EXPECT_NE(status.message().find("REQ123"), std::string::npos);
  EXPECT_NE(status.message().find("404"), std::string::npos);
}

TEST(ToStatusTest, ValidationErrorsArePermanent) {
  EXPECT_FALSE(ToStatus({400, "ValidationException", "", ""}).IsRetryable());
  EXPECT_TRUE(ToStatus({400, "ThrottlingException", "", ""}).IsRetryable());
}

TEST(ToStatusTest, SignatureMismatchDetailsStayOutOfTheMessage) {
  // S3 echoes the string to sign and canonical request; only <Message> may reach the Status.
  net::HttpReply reply{403,
                       {},
                       "<Error><Code>SignatureDoesNotMatch</Code><Message>Check your key.</Message>"
                       "<StringToSign>AWS4-HMAC-SHA256 SECRETISH</StringToSign>"
                       "<CanonicalRequest>GET / SECRETISH</CanonicalRequest></Error>"};
  Status status = ReplyToStatus(reply);
  EXPECT_EQ(status.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(status.message().find("SECRETISH"), std::string::npos);
}

TEST(ToStatusTest, LongMessagesAreShortened) {
  net::HttpReply reply{400, {}, R"({"message":")" + std::string(5000, 'x') + R"("})"};
  EXPECT_LT(ReplyToStatus(reply).message().size(), 700u);
}

}  // namespace
}  // namespace pictor::aws
