// A worker killed with SIGKILL in the middle of an SQS queue loses nothing and duplicates
// nothing: after a restart every message is one object in S3 and the queue is empty.
#include <signal.h>

#include <set>

#include "aws/credentials.h"
#include "integration/aws_e2e/aws_fixture.h"
#include "net/http_client.h"
#include "store/s3/s3_store.h"

namespace pictor::aws_e2e {
namespace {

constexpr int kMessages = 100;

constexpr const char* kUnder = "generated_images/from_queue/";

class SqsCrashTest : public AwsPeersTest {
 protected:
  // PNG keys under the worker's prefix, as the CLI lists them (empty when it failed).
  std::vector<std::string> Stored() {
    auto keys = ListKeys("crash-images");
    return keys ? PngKeysUnder(*keys, kUnder) : std::vector<std::string>{};
  }

  // The same count through the S3 adapter: milliseconds instead of the CLI's second, so the
  // kill lands soon after the 20th object however fast the worker is. -1 when listing failed.
  long QuickCount() {
    if (!store_) {
      S3StoreOptions options;
      options.bucket = "crash-images";
      options.region = "us-east-1";
      options.endpoint = Endpoint();
      auto store = OpenS3Store(options, *http_, credentials_);
      if (!store.ok()) return -1;
      store_ = std::move(store).value();
    }
    auto listed = store_->List(kUnder, 1000);
    return listed.ok() ? static_cast<long>(listed->size()) : -1;
  }

  std::unique_ptr<net::HttpClient> http_ = net::NewHttpClient();
  aws::CredentialsProvider credentials_{[]() -> Result<aws::TimedCredentials> {
    return aws::TimedCredentials{{"test", "test", ""}, std::nullopt, "explicit"};
  }};
  std::unique_ptr<ObjectStore> store_;
};

TEST_F(SqsCrashTest, KilledWorkerRestartedStoresEachMessageExactlyOnceAndEmptiesTheQueue) {
  ASSERT_TRUE(MakeBucket("crash-images"));
  std::string queue = MakeQueue("crash-prompts");
  ASSERT_FALSE(queue.empty());
  // Ten batches of ten through the CLI; the prompts differ so every image is its own.
  for (int batch = 0; batch < kMessages / 10; ++batch) {
    nlohmann::json entries = nlohmann::json::array();
    for (int i = 0; i < 10; ++i) {
      int n = batch * 10 + i;
      entries.push_back(
          {{"Id", "m" + std::to_string(n)},
           {"MessageBody", std::string(kNorwegianPrompt) + " nr. " + std::to_string(n)}});
    }
    nlohmann::json reply =
        AwsJson({"sqs", "send-message-batch", "--queue-url", queue, "--entries", entries.dump()});
    ASSERT_TRUE(reply.is_object() && reply.contains("Successful")) << reply.dump();
    ASSERT_EQ(reply["Successful"].size(), 10u) << reply.dump();
  }
  const std::vector<std::string> worker_args = {
      "worker", "--queue",       queue, "--store", "s3://crash-images", "--visibility-timeout",
      "5",      "--concurrency", "4"};

  auto first = SpawnPictor(worker_args);
  ASSERT_NE(first, nullptr);
  long before_kill = 0;
  ASSERT_TRUE(integration::WaitUntil(
      [&] {
        before_kill = QuickCount();
        return before_kill >= 20 || !first->Running();
      },
      180s, 10ms))
      << "fewer than 20 objects in time; worker stderr:\n"
      << first->Stderr();
  ASSERT_TRUE(first->Running()) << "the worker exited on its own:\n" << first->Stderr();
  integration::ExitStatus killed = first->Kill();
  EXPECT_EQ(killed.signal, SIGKILL);
  size_t at_kill = Stored().size();
  RecordProperty("objects_seen_before_kill", static_cast<int>(before_kill));
  RecordProperty("objects_at_kill", static_cast<int>(at_kill));
  ASSERT_LT(at_kill, static_cast<size_t>(kMessages))
      << "the worker finished before it could be killed mid-run";

  auto second = SpawnPictor(worker_args);
  ASSERT_NE(second, nullptr);
  std::vector<std::string> stored;
  ASSERT_TRUE(integration::WaitUntil(
      [&] {
        stored = Stored();
        return (stored.size() >= static_cast<size_t>(kMessages) && Depth(queue).Empty()) ||
               !second->Running();
      },
      240s, 250ms))
      << stored.size() << " objects; worker stderr:\n"
      << second->Stderr();
  second->Signal(SIGTERM);
  ASSERT_TRUE(second->Wait(60s).has_value());

  stored = Stored();
  EXPECT_EQ(stored.size(), static_cast<size_t>(kMessages));
  EXPECT_EQ(std::set<std::string>(stored.begin(), stored.end()).size(),
            static_cast<size_t>(kMessages));
  QueueDepth depth = Depth(queue);
  EXPECT_EQ(depth.visible, 0);
  EXPECT_EQ(depth.in_flight, 0);
}

}  // namespace
}  // namespace pictor::aws_e2e
