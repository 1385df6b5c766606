// AwsClient end to end against the scripted server: signing per attempt, errors, presigning.
#include "aws/aws_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <ctime>

#include "core/digest.h"
#include "core/percent_encoding.h"
#include "unit/net/test_http_server.h"

namespace pictor::aws {
namespace {

using net::testing::RecordedRequest;
using net::testing::ScriptedReply;
using net::testing::TestHttpServer;
using std::chrono::milliseconds;

constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

std::unique_ptr<CredentialsProvider> StaticCredentials(std::string token = "") {
  return std::make_unique<CredentialsProvider>([token]() -> Result<TimedCredentials> {
    return TimedCredentials{{"AKIDEXAMPLE", kSecret, token}, std::nullopt, "test"};
  });
}

AwsClientOptions Options(const std::string& endpoint, std::vector<milliseconds>* delays) {
  AwsClientOptions options{.service = "sqs", .region = "us-east-1", .endpoint = endpoint};
  options.retry.sleep = [delays](milliseconds d) { delays->push_back(d); };
  return options;
}

// Recomputes the signature the server should have seen, from what it received.
std::string ExpectedAuthorization(const RecordedRequest& seen, const std::string& body) {
  SigningRequest request;
  request.method = seen.method;
  size_t q = seen.target.find('?');
  request.path = seen.target.substr(0, q);
  if (q != std::string::npos) {
    std::string_view rest = std::string_view(seen.target).substr(q + 1);
    while (!rest.empty()) {
      std::string_view pair = rest.substr(0, rest.find('&'));
      rest.remove_prefix(std::min(rest.size(), pair.size() + 1));
      size_t eq = pair.find('=');
      request.query.emplace_back(PercentDecodeLenient(pair.substr(0, eq)),
                                 PercentDecodeLenient(pair.substr(eq + 1)));
    }
  }
  request.headers = {{"Host", seen.Header("Host")}};
  request.payload_sha256 = Sha256Hex(body);
  std::tm tm{};
  std::string date = seen.Header("X-Amz-Date");
  EXPECT_EQ(std::sscanf(date.c_str(), "%4d%2d%2dT%2d%2d%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                        &tm.tm_hour, &tm.tm_min, &tm.tm_sec),
            6);
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  SigningParams params{.service = "sqs",
                       .region = "us-east-1",
                       .time = std::chrono::system_clock::from_time_t(timegm(&tm))};
  Result<SignedParts> parts = SignHeaders(request, {"AKIDEXAMPLE", kSecret, ""}, params);
  return parts.ok() ? parts->authorization : parts.status().ToString();
}

TEST(AwsClientTest, SignsEveryAttemptAndReturnsTheSuccessfulReply) {
  std::atomic<int> n{0};
  TestHttpServer server([&](const RecordedRequest&) {
    return ++n == 1 ? ScriptedReply{503, {}, ""} : ScriptedReply{200, {}, R"({"ok":true})"};
  });
  std::vector<milliseconds> delays;
  auto http = net::NewHttpClient();
  auto credentials = StaticCredentials();
  AwsClient client(Options(server.url(), &delays), *http, *credentials);
  Result<net::HttpReply> reply = client.Send({.method = "POST",
                                              .path = "/",
                                              .headers = {{"Content-Type", "application/json"}},
                                              .body = R"({"QueueName":"q"})"});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->body, R"({"ok":true})");
  ASSERT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(delays.size(), 1u);
  for (const RecordedRequest& seen : server.requests()) {
    EXPECT_TRUE(
        seen.Header("Authorization").starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"));
    EXPECT_NE(seen.Header("Authorization").find("/us-east-1/sqs/aws4_request"), std::string::npos);
    EXPECT_EQ(seen.body, R"({"QueueName":"q"})");
  }
}

TEST(AwsClientTest, SignatureMatchesWhatTheServerReceived) {
  TestHttpServer server([](const RecordedRequest&) { return ScriptedReply{200, {}, ""}; });
  std::vector<milliseconds> delays;
  auto http = net::NewHttpClient();
  auto credentials = StaticCredentials();
  AwsClient client(Options(server.url() + "/base/", &delays), *http, *credentials);
  ASSERT_TRUE(client.Send({.method = "GET", .path = "/x", .query = {{"k", "a b/c"}}}).ok());
  RecordedRequest seen = server.requests().at(0);
  EXPECT_EQ(seen.target, "/base/x?k=a%20b%2Fc");
  EXPECT_EQ(seen.Header("Authorization"), ExpectedAuthorization(seen, ""));
}

TEST(AwsClientTest, ErrorReplyBecomesAStatusWithCodeAndRequestId) {
  TestHttpServer server([](const RecordedRequest&) {
    return ScriptedReply{404,
                         {},
                         "<Error><Code>NoSuchKey</Code><Message>gone</Message>"
                         "<RequestId>REQ9</RequestId></Error>"};
  });
  std::vector<milliseconds> delays;
  auto http = net::NewHttpClient();
  auto credentials = StaticCredentials();
  AwsClient client(Options(server.url(), &delays), *http, *credentials);
  Result<net::HttpReply> reply = client.Send({.method = "GET", .path = "/bucket/key"});
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(reply.status().peer_http_status(), 404);
  EXPECT_EQ(reply.status().peer_code(), "NoSuchKey");
  EXPECT_NE(reply.status().message().find("NoSuchKey"), std::string::npos);
  EXPECT_NE(reply.status().message().find("REQ9"), std::string::npos);
  EXPECT_EQ(reply.status().message().find(kSecret), std::string::npos);
  EXPECT_TRUE(delays.empty());
}

TEST(AwsClientTest, MissingCredentialsFailBeforeAnyRequest) {
  TestHttpServer server([](const RecordedRequest&) { return ScriptedReply{200, {}, ""}; });
  std::vector<milliseconds> delays;
  auto http = net::NewHttpClient();
  CredentialsProvider none(
      []() -> Result<TimedCredentials> { return Status::PermissionDenied("no credentials"); });
  AwsClient client(Options(server.url(), &delays), *http, none);
  Result<net::HttpReply> reply = client.Send({});
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(server.requests().empty());
}

TEST(AwsClientTest, PresignGetBuildsAUrlOnTheEndpoint) {
  auto http = net::NewHttpClient();
  auto credentials = StaticCredentials("session/token");
  AwsClient client({.service = "s3",
                    .region = "eu-west-1",
                    .endpoint = "http://127.0.0.1:9000",
                    .s3_mode = true},
                   *http, *credentials);
  Result<std::string> url =
      client.PresignGet("/bucket/" + PercentEncode("a b.png", true), {}, std::chrono::minutes(15));
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_TRUE(url->starts_with("http://127.0.0.1:9000/bucket/a%20b.png?")) << *url;
  EXPECT_NE(url->find("X-Amz-Expires=900"), std::string::npos);
  EXPECT_NE(url->find("X-Amz-Security-Token=session%2Ftoken"), std::string::npos);
  EXPECT_NE(url->find("X-Amz-Signature="), std::string::npos);
  EXPECT_EQ(url->find(kSecret), std::string::npos);
}

}  // namespace
}  // namespace pictor::aws
