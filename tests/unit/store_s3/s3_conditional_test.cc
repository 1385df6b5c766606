// The S3 store's conditional write and delete over a scripted HttpClient: the wire shape of the
// calls, the replies S3 gives that fauxqs cannot (409 ConditionalRequestConflict), and that each
// decision is taken on the HTTP status and code S3 answered, never on message text.
#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/ascii.h"
#include "fakes/scripted_http_client.h"
#include "store/s3/s3_store.h"

namespace pictor {
namespace {

using testing::ScriptedHttpClient;

// S3 answers with XML.
const std::vector<std::pair<std::string, std::string>> kXml = {{"Content-Type", "application/xml"}};

std::string HeaderOf(const net::HttpCall& call, std::string_view name) {
  return ScriptedHttpClient::HeaderOf(call, name);
}

std::string S3Error(std::string_view code, std::string_view message = "scripted") {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + std::string(code) +
         "</Code><Message>" + std::string(message) + "</Message><RequestId>r1</RequestId></Error>";
}

class S3ConditionalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    http_.Fallback(Status::Internal("no scripted reply"));  // a call beyond the script is a bug
    S3StoreOptions options;
    options.bucket = "pics";
    options.prefix = "ledger";
    options.region = "us-east-1";
    options.endpoint = "http://127.0.0.1:9";  // never dialled: the client is scripted
    options.max_attempts = 3;
    auto store = OpenS3Store(options, http_, credentials_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }

  ScriptedHttpClient http_;
  aws::CredentialsProvider credentials_{[]() -> Result<aws::TimedCredentials> {
    aws::TimedCredentials timed;
    timed.credentials = {"AKIDEXAMPLE", "secret", ""};
    timed.source = "explicit";
    return timed;
  }};
  std::unique_ptr<ObjectStore> store_;
};

TEST_F(S3ConditionalTest, PutIfAbsentIsAPutWithIfNoneMatchStar) {
  http_.Reply(200, "", kXml);
  ASSERT_TRUE(store_->PutIfAbsent("idempotency/a.json", "{}", "application/json").ok());
  auto calls = http_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].method, "PUT");
  EXPECT_EQ(calls[0].url, "http://127.0.0.1:9/pics/ledger/idempotency/a.json");
  EXPECT_EQ(HeaderOf(calls[0], "If-None-Match"), "*");
  EXPECT_EQ(HeaderOf(calls[0], "Content-Type"), "application/json");
  EXPECT_FALSE(HeaderOf(calls[0], "Content-MD5").empty());
  EXPECT_EQ(calls[0].body, "{}");
}

TEST_F(S3ConditionalTest, PlainPutCarriesNoCondition) {
  http_.Reply(200, "", kXml);
  ASSERT_TRUE(store_->Put("a.json", "{}", "application/json").ok());
  EXPECT_EQ(HeaderOf(http_.calls().at(0), "If-None-Match"), "");
}

TEST_F(S3ConditionalTest, PreconditionFailedIsAlreadyExists) {
  http_.Reply(412, S3Error("PreconditionFailed"), kXml);
  Status s = store_->PutIfAbsent("a.json", "{}", "");
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists) << s.ToString();
  EXPECT_NE(s.message().find("s3://pics/ledger/a.json"), std::string::npos) << s.message();
  EXPECT_EQ(http_.calls().size(), 1u);
}

TEST_F(S3ConditionalTest, ABodyless412IsAlreadyExistsToo) {
  http_.Reply(412, "", kXml);
  EXPECT_EQ(store_->PutIfAbsent("a.json", "{}", "").code(), StatusCode::kAlreadyExists);
}

// A server's code of its own does not hide the 412.
TEST_F(S3ConditionalTest, A412WithAnUnknownCodeIsAlreadyExistsAndKeepsThePeersAnswer) {
  http_.Reply(412, S3Error("KeyExistsAlready"), kXml);
  Status s = store_->PutIfAbsent("a.json", "{}", "");
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists) << s.ToString();
  EXPECT_EQ(s.peer_http_status(), 412);
  EXPECT_EQ(s.peer_code(), "KeyExistsAlready");
}

// The message is for humans: text that reads like a 412 or a 409 is not one.
TEST_F(S3ConditionalTest, AMessageQuotingHttp412IsNotAConflict) {
  http_.Reply(400, S3Error("InvalidRequest", "not (HTTP 412) at all"), kXml);
  Status s = store_->PutIfAbsent("a.json", "{}", "");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_EQ(s.peer_http_status(), 400);
}

TEST_F(S3ConditionalTest, AMessageQuotingHttp409IsNotTriedAgain) {
  http_.Reply(400, S3Error("InvalidRequest", "not (HTTP 409) either"), kXml);
  http_.Reply(200, "", kXml);
  Status s = store_->PutIfAbsent("a.json", "{}", "");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_EQ(http_.calls().size(), 1u);
}

TEST_F(S3ConditionalTest, AFailureWithoutAReplyIsNeverAPeersAnswer) {
  http_.Fail(Status::Internal("connection dropped after (HTTP 412)"));
  Status s = store_->PutIfAbsent("a.json", "{}", "");
  EXPECT_EQ(s.code(), StatusCode::kInternal) << s.ToString();
  EXPECT_EQ(s.peer_http_status(), 0);
}

// A concurrent conditional write to the key: S3 says to try again, and the next answer decides.
TEST_F(S3ConditionalTest, ConditionalRequestConflictIsTriedAgain) {
  http_.Reply(409, S3Error("ConditionalRequestConflict"), kXml);
  http_.Reply(412, S3Error("PreconditionFailed"), kXml);
  Status s = store_->PutIfAbsent("a.json", "{}", "");
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists) << s.ToString();
  EXPECT_EQ(http_.calls().size(), 2u);
}

TEST_F(S3ConditionalTest, ConflictsUntilTheLastAttemptAreUnavailable) {
  for (int i = 0; i < 3; ++i) http_.Reply(409, S3Error("ConditionalRequestConflict"), kXml);
  Status s = store_->PutIfAbsent("a.json", "{}", "");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_TRUE(s.IsRetryable());
  EXPECT_EQ(s.peer_http_status(), 409);
  EXPECT_EQ(s.peer_code(), "ConditionalRequestConflict");
  EXPECT_EQ(http_.calls().size(), 3u);
}

// A body-less 409 (a server that names no code) is the same conflict.
TEST_F(S3ConditionalTest, ABodyless409IsTriedAgain) {
  http_.Reply(409, "", kXml);
  http_.Reply(200, "", kXml);
  EXPECT_TRUE(store_->PutIfAbsent("a.json", "{}", "").ok());
  EXPECT_EQ(http_.calls().size(), 2u);
}

TEST_F(S3ConditionalTest, OtherErrorsKeepTheirMeaning) {
  http_.Reply(403, S3Error("AccessDenied"), kXml);
  EXPECT_EQ(store_->PutIfAbsent("a.json", "{}", "").code(), StatusCode::kPermissionDenied);
}

TEST_F(S3ConditionalTest, DeleteIsADeleteObject) {
  http_.Reply(204, "", kXml);
  ASSERT_TRUE(store_->Delete("jobs/1.json").ok());
  auto calls = http_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].method, "DELETE");
  EXPECT_EQ(calls[0].url, "http://127.0.0.1:9/pics/ledger/jobs/1.json");
}

TEST_F(S3ConditionalTest, DeleteOfAKeyTheServerSaysIsMissingIsOk) {
  http_.Reply(404, S3Error("NoSuchKey"), kXml);
  EXPECT_TRUE(store_->Delete("jobs/1.json").ok());
}

TEST_F(S3ConditionalTest, DeleteInAMissingBucketIsNotFound) {
  http_.Reply(404, S3Error("NoSuchBucket"), kXml);
  Status s = store_->Delete("jobs/1.json");
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_NE(s.message().find("S3 bucket 'pics' does not exist"), std::string::npos);
  EXPECT_EQ(s.peer_code(), "NoSuchBucket");
}

// The bucket is missing only when S3's code says so, not when a message mentions it.
TEST_F(S3ConditionalTest, DeleteOfAMissingKeyWhoseMessageNamesNoSuchBucketIsOk) {
  http_.Reply(404, S3Error("NoSuchKey", "NoSuchBucket (HTTP 404) is not the code"), kXml);
  EXPECT_TRUE(store_->Delete("jobs/1.json").ok());
}

TEST_F(S3ConditionalTest, ReadingFromAMissingBucketSaysSo) {
  http_.Reply(404, S3Error("NoSuchBucket"), kXml);
  Result<StoredObject> got = store_->Get("jobs/1.json");
  ASSERT_FALSE(got.ok());
  EXPECT_TRUE(got.status().IsNotFound());
  EXPECT_NE(got.status().message().find("S3 bucket 'pics' does not exist"), std::string::npos)
      << got.status().message();
}

TEST_F(S3ConditionalTest, AMissingKeyWhoseMessageNamesNoSuchBucketIsJustAMissingKey) {
  http_.Reply(404, S3Error("NoSuchKey", "NoSuchBucket (HTTP 404)"), kXml);
  Result<StoredObject> got = store_->Get("jobs/1.json");
  ASSERT_FALSE(got.ok());
  EXPECT_TRUE(got.status().IsNotFound());
  EXPECT_EQ(got.status().message().find("does not exist"), std::string::npos)
      << got.status().message();
  EXPECT_NE(got.status().message().find("reading s3://pics/ledger/jobs/1.json"), std::string::npos)
      << got.status().message();
}

}  // namespace
}  // namespace pictor
