// The registry and the decisions that used to re-read spec strings: which adapter a spec opens,
// whether serve's job routes may run on the event loop, where the alarm reads its metric and
// keeps its state, and which notifiers it tells.
#include "app/registry.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "app/settings.h"

namespace pictor::app {
namespace {

using Kind = alarm::MetricSourceSpec::Kind;

// A directory of the test's own, removed at the end.
class TempDir {
 public:
  TempDir()
      : path_(std::filesystem::temp_directory_path() /
              ("pictor-registry-" + std::to_string(::getpid()) + "-" + std::to_string(++count_))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  static inline int count_ = 0;
  std::filesystem::path path_;
};

// Sets an environment variable for the life of the object.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    const char* old = std::getenv(name);
    had_ = old != nullptr;
    if (had_) old_ = old;
    ::setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (had_) {
      ::setenv(name_, old_.c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::string old_;
  bool had_ = false;
};

TEST(AlarmMetricSourceTest, ASqliteQueueReportsEveryMetricItself) {
  EXPECT_EQ(AlarmMetricSource(*ParseQueueSpec("sqlite:q.db"), false).kind, Kind::kQueue);
}

TEST(AlarmMetricSourceTest, SqsOnAwsReadsTheAgeFromCloudWatchWithTheParsedName) {
  auto source = AlarmMetricSource(
      *ParseQueueSpec("https://sqs.eu-west-1.amazonaws.com/123456789012/prompts"), false);
  EXPECT_EQ(source.kind, Kind::kCloudWatch);
  EXPECT_EQ(source.region, "eu-west-1");
  EXPECT_EQ(source.queue_name, "prompts");
  auto china = AlarmMetricSource(
      *ParseQueueSpec("https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q"), false);
  EXPECT_EQ(china.kind, Kind::kCloudWatch);
  EXPECT_EQ(china.region, "cn-north-1");
}

TEST(AlarmMetricSourceTest, CompatibleServersAndEndpointOverridesHaveNoAge) {
  for (const char* url : {"http://sqs.us-east-1.localhost:4566/000000000000/q",
                          "http://127.0.0.1:9324/000000000000/q",
                          "https://s3.us-east-1.amazonaws.com/123456789012/q"}) {
    EXPECT_EQ(AlarmMetricSource(*ParseQueueSpec(url), false).kind, Kind::kQueueWithoutAge) << url;
  }
  // On AWS by its URL, but the requests go to another endpoint (a local emulator).
  EXPECT_EQ(AlarmMetricSource(
                *ParseQueueSpec("https://sqs.eu-west-1.amazonaws.com/123456789012/prompts"), true)
                .kind,
            Kind::kQueueWithoutAge);
}

TEST(AlarmWiringTest, TheStateSitsBesideTheQueueUnlessGiven) {
  alarm::AlarmSettings settings;
  auto beside = MakeAlarmWiring(settings, *ParseQueueSpec("sqlite:/data/queue.db"));
  ASSERT_TRUE(beside.ok()) << beside.status().ToString();
  EXPECT_EQ(beside->state_path, "/data/queue.alarm.db");
  EXPECT_EQ(beside->notifier, nullptr);
  settings.state_path = "/elsewhere/alarm.db";
  EXPECT_EQ(MakeAlarmWiring(settings, *ParseQueueSpec("sqlite:/data/queue.db"))->state_path,
            "/elsewhere/alarm.db");
}

TEST(AlarmWiringTest, AnEndpointOverrideInTheEnvironmentKeepsTheAlarmOffCloudWatch) {
  alarm::AlarmSettings settings;
  const QueueSpec queue = *ParseQueueSpec("https://sqs.eu-west-1.amazonaws.com/1/prompts");
  ScopedEnv no_sqs("AWS_ENDPOINT_URL_SQS", "");
  {
    ScopedEnv none("AWS_ENDPOINT_URL", "");
    EXPECT_EQ(MakeAlarmWiring(settings, queue)->source.kind, Kind::kCloudWatch);
  }
  ScopedEnv local("AWS_ENDPOINT_URL", "http://127.0.0.1:4566");
  EXPECT_EQ(MakeAlarmWiring(settings, queue)->source.kind, Kind::kQueueWithoutAge);
}

TEST(AlarmWiringTest, NotifiersAreBuiltFromTheirSpecsAndABadOneIsRefused) {
  alarm::AlarmSettings settings;
  settings.notify = {"arn:aws:sns:us-east-1:123456789012:alerts", "http://127.0.0.1:8125/hook"};
  auto wiring = MakeAlarmWiring(settings, *ParseQueueSpec("sqlite:q.db"));
  ASSERT_TRUE(wiring.ok()) << wiring.status().ToString();
  EXPECT_NE(wiring->notifier, nullptr);
  settings.notify.push_back("ftp://x");
  auto bad = MakeAlarmWiring(settings, *ParseQueueSpec("sqlite:q.db"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("accepted: smtp://HOST:PORT"), std::string::npos);
}

// Builds the parts of `pictor serve` from these specs.
Result<std::unique_ptr<Runtime>> ServeParts(const std::string& queue, const std::string& jobs,
                                            const std::string& store) {
  CommonSettings s;
  s.model = "builtin";
  s.store = store;
  s.queue = queue;
  s.jobs = jobs;
  return BuildRuntime(s, kModelPart | kStorePart | kQueuePart | kLedgerPart);
}

TEST(LocalJobBackendsTest, OnlyASqliteQueueWithASqliteLedgerIsLocal) {
  TempDir dir;
  ScopedEnv no_metadata("AWS_EC2_METADATA_DISABLED", "true");
  const std::string queue = "sqlite:" + (dir / "queue.db");
  const std::string sqs = "http://127.0.0.1:9/000000000000/prompts";  // never contacted
  const std::string store = "file:" + (dir / "images");
  struct Case {
    std::string queue, jobs;
    bool local;
  } cases[] = {
      {queue, "", true},  // derived: beside the queue
      {queue, "sqlite:" + (dir / "jobs.db"), true},
      {queue, "none", false},
      {queue, "store", false},
      {queue, "file:" + (dir / "records"), false},
      {sqs, "", false},
      {sqs, "sqlite:" + (dir / "jobs2.db"), false},
  };
  for (const Case& c : cases) {
    auto rt = ServeParts(c.queue, c.jobs, store);
    ASSERT_TRUE(rt.ok()) << c.queue << " " << c.jobs << ": " << rt.status().ToString();
    EXPECT_EQ(LocalJobBackends(**rt), c.local) << c.queue << " " << c.jobs;
  }
  // The derived ledger is the file beside the queue.
  EXPECT_TRUE(std::filesystem::exists(dir / "queue.jobs.db"));
}

TEST(BuildRuntimeTest, ABadSpecNamesTheAcceptedForms) {
  TempDir dir;
  auto queue = ServeParts("redis://x", "", "file:" + (dir / "images"));
  ASSERT_FALSE(queue.ok());
  EXPECT_TRUE(queue.status().IsInvalidArgument());
  EXPECT_NE(queue.status().message().find("accepted: sqlite:PATH"), std::string::npos);
  auto ledger = ServeParts("sqlite:" + (dir / "q.db"), "redis:x", "file:" + (dir / "images"));
  ASSERT_FALSE(ledger.ok());
  EXPECT_NE(ledger.status().message().find("accepted: sqlite:PATH, store"), std::string::npos);
}

TEST(MakeStoreTest, OpensTheStoreTheSpecNames) {
  TempDir dir;
  auto store = MakeStore(*ParseStoreSpec("file:" + (dir / "images")));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE((*store)->Put("a/b.png", "png", "image/png").ok());
  EXPECT_TRUE(std::filesystem::exists(dir / "images/a/b.png"));
}

ApiKeyRecord SomeKey(const std::string& name) {
  ApiKeyRecord r;
  r.name = name;
  r.hash = std::string(64, 'a');
  return r;
}

TEST(BuildKeyStoreTest, OpensTheStoreEachSpecNames) {
  TempDir dir;
  auto sqlite = BuildKeyStore(
      KeyStoreSpecFor(*ParseLedgerSpec("sqlite:" + (dir / "j.db"), nullptr)), LedgerContext{});
  ASSERT_TRUE(sqlite.ok()) << sqlite.status().ToString();
  ASSERT_TRUE(sqlite->keys->Create(SomeKey("a")).ok());
  EXPECT_TRUE(std::filesystem::exists(dir / "j.db"));

  auto images = MakeStore(*ParseStoreSpec("file:" + (dir / "images")));
  ASSERT_TRUE(images.ok());
  auto in_images = BuildKeyStore(KeyStoreSpecFor(*ParseLedgerSpec("store", nullptr)),
                                 LedgerContext{images->get(), "team"});
  ASSERT_TRUE(in_images.ok()) << in_images.status().ToString();
  ASSERT_TRUE(in_images->keys->Create(SomeKey("b")).ok());
  EXPECT_TRUE(std::filesystem::exists(dir / "images/team/keys/b.json"));

  auto own = BuildKeyStore(KeyStoreSpecFor(*ParseLedgerSpec("file:" + (dir / "records"), nullptr)),
                           LedgerContext{images->get(), "team"});
  ASSERT_TRUE(own.ok()) << own.status().ToString();
  ASSERT_TRUE(own->keys->Create(SomeKey("c")).ok());
  EXPECT_TRUE(std::filesystem::exists(dir / "records/keys/c.json"));
}

TEST(BuildKeyStoreTest, KeysInTheImageStoreNeedOne) {
  auto none = BuildKeyStore(KeyStoreSpecFor(*ParseLedgerSpec("store", nullptr)), LedgerContext{});
  EXPECT_TRUE(none.status().IsInvalidArgument()) << none.status().ToString();
}

// Makes the notifier one spec names.
Result<std::unique_ptr<Notifier>> MakeNotifierFor(std::string_view text,
                                                  const NotifierSettings& settings) {
  auto spec = ParseNotifierSpec(text);
  if (!spec.ok()) return spec.status();
  return MakeNotifier(*spec, settings);
}

TEST(NotifierSpecTest, UnknownSchemeListsTheAcceptedOnes) {
  auto n = MakeNotifierFor("ftp://x", {});
  ASSERT_FALSE(n.ok());
  EXPECT_NE(n.status().message().find("smtps://"), std::string::npos);
}

TEST(NotifierSpecTest, SmtpNeedsAnAlertEmail) {
  EXPECT_TRUE(MakeNotifierFor("smtp://127.0.0.1:25", {}).status().IsInvalidArgument());
  NotifierSettings s;
  s.alert_email = "ops@example.com";
  EXPECT_TRUE(MakeNotifierFor("smtp://127.0.0.1:25", s).ok());
}

TEST(NotifierSpecTest, EachSchemeMakesItsNotifier) {
  NotifierSettings s;
  s.alert_email = "ops@example.com";
  EXPECT_EQ((*MakeNotifierFor("smtps://mail:465", s))->Describe(),
            "smtps://mail:465 to ops@example.com");
  EXPECT_EQ((*MakeNotifierFor("arn:aws:sns:us-east-1:1:t", s))->Describe(),
            "SNS topic arn:aws:sns:us-east-1:1:t");
  // The path of a webhook URL is often its secret: not described.
  EXPECT_EQ((*MakeNotifierFor("https://hooks.example.com/T0/B0/secret", s))->Describe(),
            "webhook https://hooks.example.com");
  EXPECT_EQ((*MakeNotifierFor("http://user:pw@127.0.0.1:8125/hook?token=t", s))->Describe(),
            "webhook http://127.0.0.1:8125");
}

}  // namespace
}  // namespace pictor::app
