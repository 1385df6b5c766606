// The S3 store's conditional write and delete over a scripted HttpClient: the wire shape of the
// calls, and the replies S3 gives that fauxqs cannot (409 ConditionalRequestConflict).
#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/ascii.h"
#include "store/s3/s3_store.h"

namespace pictor {
namespace {

// Answers each call with the next scripted reply and records the calls. Thread-safe.
class ScriptedHttp final : public aws::HttpClient {
 public:
  Result<aws::HttpReply> Perform(const aws::HttpCall& call) override {
    std::lock_guard lock(mutex_);
    calls_.push_back(call);
    if (replies_.empty()) return Status::Internal("no scripted reply");
    aws::HttpReply reply = std::move(replies_.front());
    replies_.pop_front();
    return reply;
  }

  void Reply(long status, std::string body = "") {
    std::lock_guard lock(mutex_);
    replies_.push_back({status, {{"Content-Type", "application/xml"}}, std::move(body)});
  }
  std::vector<aws::HttpCall> calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }

 private:
  std::mutex mutex_;  // guards replies_, calls_
  std::deque<aws::HttpReply> replies_;
  std::vector<aws::HttpCall> calls_;
};

std::string S3Error(std::string_view code) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + std::string(code) +
         "</Code><Message>scripted</Message><RequestId>r1</RequestId></Error>";
}

std::string HeaderOf(const aws::HttpCall& call, std::string_view name) {
  for (const auto& [key, value] : call.headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

class S3ConditionalTest : public ::testing::Test {
 protected:
  void SetUp() override {
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

  ScriptedHttp http_;
  aws::CredentialsProvider credentials_{[]() -> Result<aws::TimedCredentials> {
    aws::TimedCredentials timed;
    timed.credentials = {"AKIDEXAMPLE", "secret", ""};
    timed.source = "explicit";
    return timed;
  }};
  std::unique_ptr<ObjectStore> store_;
};

TEST_F(S3ConditionalTest, PutIfAbsentIsAPutWithIfNoneMatchStar) {
  http_.Reply(200);
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
  http_.Reply(200);
  ASSERT_TRUE(store_->Put("a.json", "{}", "application/json").ok());
  EXPECT_EQ(HeaderOf(http_.calls().at(0), "If-None-Match"), "");
}

TEST_F(S3ConditionalTest, PreconditionFailedIsAlreadyExists) {
  http_.Reply(412, S3Error("PreconditionFailed"));
  Status s = store_->PutIfAbsent("a.json", "{}", "");
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists) << s.ToString();
  EXPECT_NE(s.message().find("s3://pics/ledger/a.json"), std::string::npos) << s.message();
  EXPECT_EQ(http_.calls().size(), 1u);
}

TEST_F(S3ConditionalTest, ABodyless412IsAlreadyExistsToo) {
  http_.Reply(412);
  EXPECT_EQ(store_->PutIfAbsent("a.json", "{}", "").code(), StatusCode::kAlreadyExists);
}

// A concurrent conditional write to the key: S3 says to try again, and the next answer decides.
TEST_F(S3ConditionalTest, ConditionalRequestConflictIsTriedAgain) {
  http_.Reply(409, S3Error("ConditionalRequestConflict"));
  http_.Reply(412, S3Error("PreconditionFailed"));
  Status s = store_->PutIfAbsent("a.json", "{}", "");
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists) << s.ToString();
  EXPECT_EQ(http_.calls().size(), 2u);
}

TEST_F(S3ConditionalTest, ConflictsUntilTheLastAttemptAreUnavailable) {
  for (int i = 0; i < 3; ++i) http_.Reply(409, S3Error("ConditionalRequestConflict"));
  Status s = store_->PutIfAbsent("a.json", "{}", "");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_TRUE(s.IsRetryable());
  EXPECT_EQ(http_.calls().size(), 3u);
}

TEST_F(S3ConditionalTest, OtherErrorsKeepTheirMeaning) {
  http_.Reply(403, S3Error("AccessDenied"));
  EXPECT_EQ(store_->PutIfAbsent("a.json", "{}", "").code(), StatusCode::kPermissionDenied);
}

TEST_F(S3ConditionalTest, DeleteIsADeleteObject) {
  http_.Reply(204);
  ASSERT_TRUE(store_->Delete("jobs/1.json").ok());
  auto calls = http_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].method, "DELETE");
  EXPECT_EQ(calls[0].url, "http://127.0.0.1:9/pics/ledger/jobs/1.json");
}

TEST_F(S3ConditionalTest, DeleteOfAKeyTheServerSaysIsMissingIsOk) {
  http_.Reply(404, S3Error("NoSuchKey"));
  EXPECT_TRUE(store_->Delete("jobs/1.json").ok());
}

TEST_F(S3ConditionalTest, DeleteInAMissingBucketIsNotFound) {
  http_.Reply(404, S3Error("NoSuchBucket"));
  Status s = store_->Delete("jobs/1.json");
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_NE(s.message().find("S3 bucket 'pics' does not exist"), std::string::npos);
}

}  // namespace
}  // namespace pictor
