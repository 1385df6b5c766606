// The job message: every writer's encoder and RunJob's parser agree on every field, and the
// bytes are those queued before the encoder existed.
#include "core/job_message.h"

#include <gtest/gtest.h>

#include <string>

namespace pictor {
namespace {

RequestLimits Limits() { return RequestLimits{}; }

// Encodes `job` and parses it back with `defaults`.
JobSpec RoundTrip(const JobMessage& job, RequestDefaults defaults = {}) {
  auto spec = ParseQueueMessageBody(EncodeJobMessage(job), defaults, Limits());
  EXPECT_TRUE(spec.ok()) << spec.status().ToString() << " for " << EncodeJobMessage(job);
  return spec.ok() ? *spec : JobSpec{};
}

TEST(JobMessage, EveryFieldSurvivesTheRoundTrip) {
  JobMessage job;
  job.prompt = "A magical salmon going to the moon in a rocket";
  job.negative_prompt = "blurry";
  job.seed = 2147483646;
  job.width = 640;
  job.height = 384;
  job.job_id = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
  job.webhook_url = "https://hooks.example.com/in?token=t";
  JobSpec spec = RoundTrip(job);
  EXPECT_EQ(spec.request.prompt, job.prompt);
  EXPECT_EQ(spec.request.negative_prompt, "blurry");
  EXPECT_TRUE(spec.has_seed);
  EXPECT_EQ(spec.request.seed, 2147483646u);
  EXPECT_EQ(spec.request.width, 640);
  EXPECT_EQ(spec.request.height, 384);
  EXPECT_EQ(spec.job_id, job.job_id);
  EXPECT_EQ(spec.webhook_url, job.webhook_url);
  EXPECT_EQ(JobMessageFor(spec), job);
}

TEST(JobMessage, AWebhookUrlIsWrittenAsJsonInItsPlace) {
  JobMessage job;
  job.prompt = "A cat";
  job.webhook_url = "https://h.example/x";
  EXPECT_EQ(EncodeJobMessage(job), R"({"prompt":"A cat","webhook_url":"https://h.example/x"})");
  auto typed = ParseQueueMessageBody(R"({"prompt":"A cat","webhook_url":7})", {}, Limits());
  EXPECT_TRUE(typed.status().IsInvalidArgument());
  // The synchronous API takes no webhook.
  EXPECT_FALSE(
      ParseJobJson(R"({"prompt":"A cat","webhook_url":"https://h.example/"})", {}, Limits()).ok());
}

TEST(JobMessage, AbsentOptionalsComeBackAbsentOrDefaulted) {
  JobMessage job;
  job.prompt = "En katt på månen";
  JobSpec spec = RoundTrip(job, RequestDefaults{100, 200});
  EXPECT_EQ(spec.request.prompt, job.prompt);
  EXPECT_EQ(spec.request.negative_prompt, "");
  EXPECT_FALSE(spec.has_seed);
  EXPECT_EQ(spec.request.seed, 0u);
  EXPECT_EQ(spec.request.width, 100);
  EXPECT_EQ(spec.request.height, 200);
  EXPECT_EQ(spec.job_id, "");
}

TEST(JobMessage, SeedZeroIsASeedNotAnAbsentOne) {
  JobMessage job;
  job.prompt = "sol";
  job.seed = 0;
  JobSpec spec = RoundTrip(job);
  EXPECT_TRUE(spec.has_seed);
  EXPECT_EQ(spec.request.seed, 0u);
}

TEST(JobMessage, UnicodePromptsSurviveTheRoundTripInPlainTextAndJson) {
  // Norwegian, CJK, an emoji outside the BMP, a combining accent, RTL text and a quote and
  // backslash JSON must escape.
  const std::string prompt = "blåbær på måne 🚀 月の猫 e\u0301 שלום \"q\" \\ tab\there";
  JobMessage plain;
  plain.prompt = prompt;
  EXPECT_EQ(EncodeJobMessage(plain), prompt);  // plain text, as the original client sent it
  EXPECT_EQ(RoundTrip(plain).request.prompt, prompt);

  JobMessage json = plain;
  json.negative_prompt = "ingen tåke ☁";
  json.width = 512;
  json.height = 512;
  JobSpec spec = RoundTrip(json);
  EXPECT_EQ(spec.request.prompt, prompt);
  EXPECT_EQ(spec.request.negative_prompt, "ingen tåke ☁");
  // UTF-8 is written as is, not as \u escapes.
  EXPECT_NE(EncodeJobMessage(json).find("🚀"), std::string::npos);
}

TEST(JobMessage, APromptThatLooksLikeJsonIsSentAsJsonSoItComesBackTheSame) {
  JobMessage job;
  job.prompt = "{a cat in braces}";
  EXPECT_EQ(EncodeJobMessage(job), R"({"prompt":"{a cat in braces}"})");
  EXPECT_EQ(RoundTrip(job).request.prompt, "{a cat in braces}");
  job.prompt = "  {\"prompt\":\"other\"}";
  EXPECT_EQ(RoundTrip(job).request.prompt, "{\"prompt\":\"other\"}");
}

// The bytes queued before the encoder: `pictor send` wrote a bare prompt as plain text and a
// seed or size as JSON; POST /jobs wrote every field. Sorted keys, compact.
TEST(JobMessage, WritesTheBytesQueuedBeforeIt) {
  JobMessage send;
  send.prompt = "A cat";
  EXPECT_EQ(EncodeJobMessage(send), "A cat");
  send.seed = 42;
  send.width = 256;
  send.height = 128;
  EXPECT_EQ(EncodeJobMessage(send), R"({"height":128,"prompt":"A cat","seed":42,"width":256})");

  JobMessage api;
  api.prompt = "sol";
  api.negative_prompt = "måne";
  api.seed = 7;
  api.width = 512;
  api.height = 512;
  api.job_id = "j-1";
  EXPECT_EQ(EncodeJobMessage(api),
            R"({"height":512,"job_id":"j-1","negative_prompt":"måne","prompt":"sol",)"
            R"("seed":7,"width":512})");
}

TEST(JobMessage, ReadsMessagesQueuedByOlderWriters) {
  // As `aws sqs send-message` and the original Java client sent them.
  auto plain = ParseQueueMessageBody("A magical salmon\n", RequestDefaults{}, Limits());
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->request.prompt, "A magical salmon");
  EXPECT_EQ(plain->request.width, kDefaultImageWidth);
  EXPECT_EQ(plain->request.height, kDefaultImageHeight);
  // As POST /jobs wrote it, keys in any order and with spaces.
  auto api = ParseQueueMessageBody(
      R"({ "prompt": "sol", "job_id": "j-9", "width": 64, "height": 96, "seed": 5 })",
      RequestDefaults{}, Limits());
  ASSERT_TRUE(api.ok()) << api.status().ToString();
  EXPECT_EQ(api->job_id, "j-9");
  EXPECT_EQ(api->request.width, 64);
  EXPECT_EQ(api->request.height, 96);
  EXPECT_EQ(api->request.seed, 5u);
}

TEST(JobMessage, JobMessageForLeavesAnUnchosenSeedOut) {
  JobSpec spec;
  spec.request.prompt = "sol";
  spec.request.seed = 0;
  spec.has_seed = false;
  JobMessage job = JobMessageFor(spec);
  EXPECT_FALSE(job.seed.has_value());
  EXPECT_EQ(job.width, kDefaultImageWidth);
  EXPECT_EQ(job.height, kDefaultImageHeight);
}

TEST(ParseQueueMessageBody, TakesPlainTextAsThePrompt) {
  auto spec =
      ParseQueueMessageBody("  En katt og en hund i verdensrommet\n", RequestDefaults{}, Limits());
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->request.prompt, "En katt og en hund i verdensrommet");
  EXPECT_EQ(spec->request.width, kDefaultImageWidth);
  EXPECT_FALSE(spec->has_seed);
}

TEST(ParseQueueMessageBody, TakesJsonWithAJobId) {
  auto spec = ParseQueueMessageBody(R"({"job_id":"j-1","prompt":"sol","seed":3})",
                                    RequestDefaults{}, Limits());
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->job_id, "j-1");
  EXPECT_EQ(spec->request.seed, 3u);
}

TEST(ParseQueueMessageBody, RejectsBrokenJsonInsteadOfDrawingIt) {
  auto spec = ParseQueueMessageBody(R"({"prompt": "sol")", RequestDefaults{}, Limits());
  EXPECT_EQ(spec.status().reason(), "malformed_json");
}

TEST(ParseQueueMessageBody, RejectsADuplicateKey) {
  auto spec = ParseQueueMessageBody(R"({"job_id":"j-1","prompt":"sol","job_id":"j-2"})",
                                    RequestDefaults{}, Limits());
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().reason(), "duplicate_key");
  EXPECT_NE(spec.status().message().find("job_id"), std::string::npos);
}

}  // namespace
}  // namespace pictor
