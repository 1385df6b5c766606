// The original system's flow on SQS and S3: prompts put on the queue with the AWS CLI (or
// `pictor send`) become PNGs in the bucket, as seen by the AWS CLI.
#include <signal.h>

#include <set>

#include "integration/aws_e2e/aws_fixture.h"

namespace pictor::aws_e2e {
namespace {

class QueueFlowTest : public AwsPeersTest {};

TEST_F(QueueFlowTest, CliMessagesBecomeOnePngEachUnderThePrefixAndTheQueueEndsEmpty) {
  ASSERT_TRUE(MakeBucket("flow-images"));
  std::string queue = MakeQueue("flow-prompts");
  ASSERT_FALSE(queue.empty());
  const std::vector<std::string> prompts = {kNorwegianPrompt, "Et fyrtårn på en klippe i måneskinn",
                                            "Tre røde båter ved en brygge"};
  for (const std::string& prompt : prompts) {
    RunResult sent = Aws({"sqs", "send-message", "--queue-url", queue, "--message-body", prompt});
    ASSERT_EQ(sent.code(), 0) << sent.err;
  }

  auto worker = SpawnPictor({"worker", "--queue", queue, "--store", "s3://flow-images/run-1"});
  ASSERT_NE(worker, nullptr);
  const std::string under = "run-1/generated_images/from_queue/";
  std::vector<std::string> keys;
  bool stored = integration::WaitUntil(
      [&] {
        auto listed = ListKeys("flow-images");
        if (listed) keys = *listed;
        return PngKeysUnder(keys, under).size() >= prompts.size() || !worker->Running();
      },
      120s, 200ms);
  ASSERT_TRUE(stored) << "worker stderr:\n" << worker->Stderr();
  ASSERT_TRUE(integration::WaitUntil([&] { return Depth(queue).Empty(); }, 30s, 200ms))
      << "the queue did not empty; worker stderr:\n"
      << worker->Stderr();
  worker->Signal(SIGTERM);
  auto exit = worker->Wait(30s);
  ASSERT_TRUE(exit.has_value());
  EXPECT_TRUE(exit->exited && exit->code == 0) << worker->Stderr();

  auto final_keys = ListKeys("flow-images");
  ASSERT_TRUE(final_keys.has_value());
  EXPECT_EQ(final_keys->size(), prompts.size()) << "every object in the bucket is one image";
  std::vector<std::string> pngs = PngKeysUnder(*final_keys, under);
  ASSERT_EQ(pngs.size(), prompts.size());
  EXPECT_EQ(std::set<std::string>(pngs.begin(), pngs.end()).size(), prompts.size());

  const std::string local = dir_ / "fetched.png";
  RunResult copied = Aws({"s3", "cp", "s3://flow-images/" + pngs[0], local});
  ASSERT_EQ(copied.code(), 0) << copied.err;
  auto png = integration::DecodePng(integration::ReadFile(local));
  ASSERT_TRUE(png.has_value()) << "not a valid PNG: " << pngs[0];
  EXPECT_EQ(png->width, 512u);
  EXPECT_EQ(png->height, 512u);
}

TEST_F(QueueFlowTest, PictorSendIsReceivedByTheCliUnchangedWithItsMessageId) {
  std::string queue = MakeQueue("send-prompts");
  ASSERT_FALSE(queue.empty());
  const std::string prompt = std::string(kNorwegianPrompt) + " ✨";

  RunResult sent = Pictor({"send", prompt, "--queue", queue});
  ASSERT_EQ(sent.code(), 0) << sent.err;
  std::string message_id = sent.out.substr(0, sent.out.find('\n'));
  ASSERT_FALSE(message_id.empty());

  nlohmann::json got = AwsJson({"sqs", "receive-message", "--queue-url", queue,
                                "--wait-time-seconds", "5", "--max-number-of-messages", "10"});
  ASSERT_TRUE(got.is_object() && got.contains("Messages")) << got.dump();
  ASSERT_EQ(got["Messages"].size(), 1u);
  EXPECT_EQ(got["Messages"][0].value("Body", ""), prompt);
  EXPECT_EQ(got["Messages"][0].value("MessageId", ""), message_id);
}

}  // namespace
}  // namespace pictor::aws_e2e
