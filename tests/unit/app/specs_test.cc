// Every typed spec from good and bad strings: what each field holds, and errors that name the
// accepted forms.
#include "app/specs.h"

#include <gtest/gtest.h>

#include <string>

namespace pictor::app {
namespace {

// The error's message contains `text`.
::testing::AssertionResult Says(const Status& status, const std::string& text) {
  if (status.ok()) return ::testing::AssertionFailure() << "no error; expected '" << text << "'";
  if (!status.IsInvalidArgument()) {
    return ::testing::AssertionFailure() << "not InvalidArgument: " << status.ToString();
  }
  if (status.message().find(text) == std::string::npos) {
    return ::testing::AssertionFailure() << "'" << status.message() << "' lacks '" << text << "'";
  }
  return ::testing::AssertionSuccess();
}

TEST(ModelSpecTest, ReadsEachScheme) {
  auto builtin = ParseModelSpec("builtin");
  ASSERT_TRUE(builtin.ok());
  EXPECT_EQ(builtin->kind, ModelSpec::Kind::kBuiltin);
  auto bedrock = ParseModelSpec("bedrock:amazon.titan-image-generator-v2:0");
  ASSERT_TRUE(bedrock.ok());
  EXPECT_EQ(bedrock->kind, ModelSpec::Kind::kBedrock);
  EXPECT_EQ(bedrock->model_id, "amazon.titan-image-generator-v2:0");
  auto openai = ParseModelSpec("openai:http://127.0.0.1:8000/v1");
  ASSERT_TRUE(openai.ok());
  EXPECT_EQ(openai->kind, ModelSpec::Kind::kOpenAi);
  EXPECT_EQ(openai->base_url, "http://127.0.0.1:8000/v1");
}

TEST(ModelSpecTest, RefusesUnknownAndIncompleteSpecs) {
  auto unknown = ParseModelSpec("dall-e");
  EXPECT_TRUE(Says(unknown.status(), "accepted: builtin, bedrock:MODEL_ID, openai:BASE_URL"));
  EXPECT_EQ(unknown.status().reason(), "unknown_spec");
  EXPECT_TRUE(Says(ParseModelSpec("Builtin").status(), "unknown model 'Builtin'"));
  EXPECT_TRUE(Says(ParseModelSpec("bedrock:").status(), "bedrock:MODEL_ID"));
  EXPECT_TRUE(Says(ParseModelSpec("openai:").status(), "openai:BASE_URL"));
}

TEST(StoreSpecTest, ReadsFileAndS3) {
  auto file = ParseStoreSpec("file:./var/images");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->kind, StoreSpec::Kind::kFile);
  EXPECT_EQ(file->dir, "./var/images");
  auto s3 = ParseStoreSpec("s3://pictor-images/cand/v1/");
  ASSERT_TRUE(s3.ok()) << s3.status().ToString();
  EXPECT_EQ(s3->kind, StoreSpec::Kind::kS3);
  EXPECT_EQ(s3->bucket, "pictor-images");
  EXPECT_EQ(s3->prefix, "cand/v1");
  auto bare = ParseStoreSpec("s3://pictor-images");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->prefix, "");
}

TEST(StoreSpecTest, RefusesUnknownAndIncompleteSpecs) {
  EXPECT_TRUE(Says(ParseStoreSpec("s4://x").status(), "accepted: file:DIR, s3://BUCKET[/PREFIX]"));
  EXPECT_TRUE(Says(ParseStoreSpec("./var/images").status(), "unknown store"));
  EXPECT_TRUE(Says(ParseStoreSpec("file:").status(), "file:DIR"));
  EXPECT_TRUE(Says(ParseStoreSpec("s3://").status(), "the bucket is missing"));
  EXPECT_TRUE(Says(ParseStoreSpec("s3://pictor-images?x=1").status(), "bad S3 store"));
}

TEST(QueueSpecTest, ReadsASqliteFile) {
  auto q = ParseQueueSpec("sqlite:./var/queue.db");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->kind, QueueSpec::Kind::kSqlite);
  EXPECT_EQ(q->path, "./var/queue.db");
  EXPECT_FALSE(q->OnAws());
}

TEST(QueueSpecTest, ReadsAnSqsQueueOnAwsWithRegionAccountAndName) {
  auto q = ParseQueueSpec("https://sqs.eu-west-1.amazonaws.com/123456789012/prompts/");
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->kind, QueueSpec::Kind::kSqs);
  EXPECT_EQ(q->url, "https://sqs.eu-west-1.amazonaws.com/123456789012/prompts");
  EXPECT_EQ(q->region, "eu-west-1");
  EXPECT_EQ(q->account, "123456789012");
  EXPECT_EQ(q->name, "prompts");
  EXPECT_TRUE(q->OnAws());
  auto china = ParseQueueSpec("https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q.fifo");
  ASSERT_TRUE(china.ok());
  EXPECT_EQ(china->region, "cn-north-1");
  EXPECT_EQ(china->name, "q.fifo");
}

TEST(QueueSpecTest, ACompatibleServerHasNoRegionOfItsOwn) {
  for (const char* url : {"http://127.0.0.1:9324/000000000000/q",
                          "http://sqs.us-east-1.localhost:4566/000000000000/q",
                          "https://s3.us-east-1.amazonaws.com/123456789012/q"}) {
    auto q = ParseQueueSpec(url);
    ASSERT_TRUE(q.ok()) << url;
    EXPECT_EQ(q->kind, QueueSpec::Kind::kSqs) << url;
    EXPECT_EQ(q->region, "") << url;
    EXPECT_FALSE(q->OnAws()) << url;
  }
}

TEST(QueueSpecTest, RefusesUnknownIncompleteAndMisnamedQueues) {
  EXPECT_TRUE(
      Says(ParseQueueSpec("redis://x").status(), "accepted: sqlite:PATH, an SQS queue URL"));
  EXPECT_EQ(ParseQueueSpec("redis://x").status().reason(), "unknown_spec");
  EXPECT_TRUE(Says(ParseQueueSpec("sqlite:").status(), "sqlite:PATH"));
  // One path segment is not a queue URL.
  EXPECT_TRUE(Says(ParseQueueSpec("https://sqs.us-east-1.amazonaws.com/123456789012").status(),
                   "unknown queue"));
  EXPECT_TRUE(Says(ParseQueueSpec("https://sqs.us-east-1.amazonaws.com/1/bad!name").status(),
                   "not a valid SQS queue name"));
}

TEST(FileBesideQueueTest, SitsBesideASqliteQueueOnly) {
  EXPECT_EQ(FileBesideQueue(*ParseQueueSpec("sqlite:/data/queue.db"), ".jobs.db"),
            "/data/queue.jobs.db");
  EXPECT_EQ(FileBesideQueue(*ParseQueueSpec("sqlite:queue"), ".jobs.db"), "queue.jobs.db");
  EXPECT_EQ(FileBesideQueue(*ParseQueueSpec("sqlite:./var/a.b.db"), ".alarm.db"),
            "./var/a.b.alarm.db");
  EXPECT_EQ(FileBesideQueue(*ParseQueueSpec("http://127.0.0.1:9324/0/q"), ".jobs.db"),
            std::nullopt);
}

TEST(DefaultAlarmStatePathTest, SitsBesideASqliteQueue) {
  EXPECT_EQ(DefaultAlarmStatePath(*ParseQueueSpec("sqlite:/data/queue.db")),
            "/data/queue.alarm.db");
  EXPECT_EQ(DefaultAlarmStatePath(*ParseQueueSpec("https://sqs.eu-west-1.amazonaws.com/1/prompts")),
            "./var/alarm.db");
}

TEST(LedgerSpecTest, AnEmptySpecIsDerivedFromTheQueue) {
  const QueueSpec sqlite = *ParseQueueSpec("sqlite:/data/queue.db");
  auto beside = ParseLedgerSpec("", &sqlite);
  ASSERT_TRUE(beside.ok());
  EXPECT_EQ(beside->kind, LedgerSpec::Kind::kSqlite);
  EXPECT_EQ(beside->path, "/data/queue.jobs.db");
  const QueueSpec sqs = *ParseQueueSpec("https://sqs.eu-west-1.amazonaws.com/1/prompts");
  EXPECT_EQ(ParseLedgerSpec("", &sqs)->kind, LedgerSpec::Kind::kNone);
  EXPECT_EQ(ParseLedgerSpec("", nullptr)->kind, LedgerSpec::Kind::kNone);
}

TEST(LedgerSpecTest, ReadsEachForm) {
  const QueueSpec sqlite = *ParseQueueSpec("sqlite:/data/queue.db");
  EXPECT_EQ(ParseLedgerSpec("none", &sqlite)->kind, LedgerSpec::Kind::kNone);
  EXPECT_EQ(ParseLedgerSpec("store", &sqlite)->kind, LedgerSpec::Kind::kImageStore);
  auto file = ParseLedgerSpec("sqlite:/elsewhere/jobs.db", &sqlite);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->kind, LedgerSpec::Kind::kSqlite);
  EXPECT_EQ(file->path, "/elsewhere/jobs.db");
  auto dir = ParseLedgerSpec("file:./var/jobs", nullptr);
  ASSERT_TRUE(dir.ok());
  EXPECT_EQ(dir->kind, LedgerSpec::Kind::kOwnStore);
  EXPECT_EQ(dir->store.kind, StoreSpec::Kind::kFile);
  EXPECT_EQ(dir->store.dir, "./var/jobs");
  auto s3 = ParseLedgerSpec("s3://pictor-jobs/records", nullptr);
  ASSERT_TRUE(s3.ok());
  EXPECT_EQ(s3->kind, LedgerSpec::Kind::kOwnStore);
  EXPECT_EQ(s3->store.bucket, "pictor-jobs");
  EXPECT_EQ(s3->store.prefix, "records");
}

TEST(LedgerSpecTest, RefusesUnknownAndIncompleteSpecs) {
  EXPECT_TRUE(Says(ParseLedgerSpec("redis:x", nullptr).status(),
                   "accepted: sqlite:PATH, store, file:DIR, s3://BUCKET[/PREFIX], none"));
  EXPECT_TRUE(Says(ParseLedgerSpec("sqlite:", nullptr).status(), "sqlite:PATH"));
  EXPECT_TRUE(Says(ParseLedgerSpec("file:", nullptr).status(), "file:DIR"));
  EXPECT_TRUE(Says(ParseLedgerSpec("Store", nullptr).status(), "unknown job ledger"));
}

TEST(KeyStoreSpecTest, KeysSitWhereTheLedgerIs) {
  const QueueSpec sqlite = *ParseQueueSpec("sqlite:/data/queue.db");
  const KeyStoreSpec beside = KeyStoreSpecFor(*ParseLedgerSpec("", &sqlite));
  EXPECT_EQ(beside.kind, KeyStoreSpec::Kind::kSqlite);
  EXPECT_EQ(beside.path, "/data/queue.jobs.db");
  const KeyStoreSpec file = KeyStoreSpecFor(*ParseLedgerSpec("sqlite:/x/jobs.db", &sqlite));
  EXPECT_EQ(file.kind, KeyStoreSpec::Kind::kSqlite);
  EXPECT_EQ(file.path, "/x/jobs.db");
  const KeyStoreSpec own = KeyStoreSpecFor(*ParseLedgerSpec("s3://pictor-jobs/records", nullptr));
  EXPECT_EQ(own.kind, KeyStoreSpec::Kind::kOwnStore);
  EXPECT_EQ(own.store.bucket, "pictor-jobs");
  EXPECT_EQ(own.store.prefix, "records");
  EXPECT_EQ(KeyStoreSpecFor(*ParseLedgerSpec("store", &sqlite)).kind,
            KeyStoreSpec::Kind::kImageStore);
}

// SQS without job records (the Lambda deployment's default) still has keys: in the image store.
TEST(KeyStoreSpecTest, WithoutALedgerKeysAreInTheImageStore) {
  const QueueSpec sqs = *ParseQueueSpec("https://sqs.eu-west-1.amazonaws.com/1/prompts");
  EXPECT_EQ(KeyStoreSpecFor(*ParseLedgerSpec("", &sqs)).kind, KeyStoreSpec::Kind::kImageStore);
  const QueueSpec sqlite = *ParseQueueSpec("sqlite:/data/queue.db");
  EXPECT_EQ(KeyStoreSpecFor(*ParseLedgerSpec("none", &sqlite)).kind,
            KeyStoreSpec::Kind::kImageStore);
}

TEST(NotifierSpecParseTest, ReadsEachScheme) {
  EXPECT_EQ(ParseNotifierSpec("smtp://mail:25")->kind, NotifierSpec::Kind::kSmtp);
  EXPECT_EQ(ParseNotifierSpec("smtps://mail:465")->kind, NotifierSpec::Kind::kSmtp);
  auto sns = ParseNotifierSpec("arn:aws:sns:us-east-1:123456789012:alerts");
  ASSERT_TRUE(sns.ok());
  EXPECT_EQ(sns->kind, NotifierSpec::Kind::kSns);
  EXPECT_EQ(sns->target, "arn:aws:sns:us-east-1:123456789012:alerts");
  EXPECT_EQ(ParseNotifierSpec("http://127.0.0.1:8125/hook")->kind, NotifierSpec::Kind::kWebhook);
  EXPECT_EQ(ParseNotifierSpec("https://hooks.example.com/x")->kind, NotifierSpec::Kind::kWebhook);
}

TEST(NotifierSpecParseTest, RefusesAnUnknownScheme) {
  auto n = ParseNotifierSpec("ftp://x");
  EXPECT_TRUE(Says(n.status(),
                   "unknown notifier 'ftp://x'; accepted: smtp://HOST:PORT, "
                   "smtps://HOST:PORT, arn:aws:sns:REGION:ACCOUNT:TOPIC, http(s)://URL"));
  EXPECT_EQ(n.status().reason(), "unknown_spec");
}

}  // namespace
}  // namespace pictor::app
