#include "core/validation.h"

#include <gtest/gtest.h>

#include "core/utf8.h"

namespace pictor {
namespace {

RequestLimits Limits() { return RequestLimits{}; }

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST(Utf8, AcceptsWellFormedText) {
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("blåbær på måne 🚀"));
}

TEST(Utf8, RejectsOverlongsSurrogatesAndTruncation) {
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("abc\xE2\x82"));       // truncated
  EXPECT_FALSE(IsValidUtf8("\xFF"));
}

TEST(Utf8, CountsCodePointsNotBytes) { EXPECT_EQ(CountCodePoints("måne"), 4u); }

TEST(Utf8, TrimsAsciiAndNoBreakSpace) {
  EXPECT_EQ(TrimWhitespace(" \t\n\xC2\xA0katt \r"), "katt");
  EXPECT_EQ(TrimWhitespace("   "), "");
}

TEST(ValidatePrompt, RequiresTextAfterTrimming) {
  Status s = ValidatePromptText("  \n\t ", Limits(), "prompt", false);
  EXPECT_EQ(s.reason(), "prompt_required");
}

TEST(ValidatePrompt, CountsCharactersForTheLengthLimit) {
  EXPECT_TRUE(ValidatePromptText(Repeat("å", 512), Limits(), "prompt", false).ok());
  Status s = ValidatePromptText(Repeat("å", 513), Limits(), "prompt", false);
  EXPECT_EQ(s.reason(), "prompt_too_long");
  EXPECT_NE(s.message().find("513"), std::string::npos);
}

TEST(ValidatePrompt, RejectsControlCharactersButNotNewlineOrTab) {
  EXPECT_TRUE(ValidatePromptText("a cat\nand\ta dog", Limits(), "prompt", false).ok());
  EXPECT_EQ(ValidatePromptText("a cat\x01", Limits(), "prompt", false).reason(), "invalid_prompt");
  EXPECT_EQ(ValidatePromptText("a cat\x7F", Limits(), "prompt", false).reason(), "invalid_prompt");
  EXPECT_EQ(ValidatePromptText(std::string("a\0b", 3), Limits(), "prompt", false).reason(),
            "invalid_prompt");
}

TEST(ValidatePrompt, RejectsInvalidUtf8) {
  EXPECT_EQ(ValidatePromptText("katt \xC3", Limits(), "prompt", false).reason(), "invalid_prompt");
}

TEST(ParseJobJson, ReadsEveryField) {
  auto spec = ParseJobJson(
      R"({"prompt":"  a cat ","negative_prompt":"dogs","seed":42,"width":640,"height":320})",
      RequestDefaults{}, Limits());
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->request.prompt, "a cat");
  EXPECT_EQ(spec->request.negative_prompt, "dogs");
  EXPECT_EQ(spec->request.seed, 42u);
  EXPECT_TRUE(spec->has_seed);
  EXPECT_EQ(spec->request.width, 640);
  EXPECT_EQ(spec->request.height, 320);
}

TEST(ParseJobJson, AppliesDefaultsWhenSizeAndSeedAreAbsent) {
  auto spec = ParseJobJson(R"({"prompt":"x"})", RequestDefaults{1024, 768}, Limits());
  ASSERT_TRUE(spec.ok());
  EXPECT_FALSE(spec->has_seed);
  EXPECT_EQ(spec->request.width, 1024);
  EXPECT_EQ(spec->request.height, 768);
}

struct BadBody {
  const char* body;
  const char* reason;
};

class ParseJobJsonRejects : public ::testing::TestWithParam<BadBody> {};

TEST_P(ParseJobJsonRejects, WithTheRightReason) {
  auto spec = ParseJobJson(GetParam().body, RequestDefaults{}, Limits());
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(spec.status().reason(), GetParam().reason) << spec.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Bodies, ParseJobJsonRejects,
    ::testing::Values(BadBody{"", "malformed_json"}, BadBody{"{", "malformed_json"},
                      BadBody{"[1,2]", "malformed_json"}, BadBody{"\"cat\"", "malformed_json"},
                      BadBody{"{}", "prompt_required"},
                      BadBody{R"({"prompt":"   "})", "prompt_required"},
                      BadBody{R"({"prompt":7})", "invalid_type"},
                      BadBody{R"({"prompt":"x","seed":-1})", "invalid_seed"},
                      BadBody{R"({"prompt":"x","seed":2147483647})", "invalid_seed"},
                      BadBody{R"({"prompt":"x","seed":18446744073709551615})", "invalid_seed"},
                      BadBody{R"({"prompt":"x","seed":1.5})", "invalid_type"},
                      // Beyond int64_t: out of range, without an undefined conversion.
                      BadBody{R"({"prompt":"x","seed":1e300})", "invalid_seed"},
                      BadBody{R"({"prompt":"x","width":-1e19})", "invalid_size"},
                      BadBody{R"({"prompt":"x","seed":"7"})", "invalid_type"},
                      BadBody{R"({"prompt":"x","width":63})", "invalid_size"},
                      BadBody{R"({"prompt":"x","height":2049})", "invalid_size"},
                      BadBody{R"({"prompt":"x","width":"big"})", "invalid_type"},
                      BadBody{R"({"prompt":"x","promt":"y"})", "unknown_field"},
                      BadBody{R"({"prompt":"x","job_id":"j"})", "unknown_field"}));

TEST(ParseJobJson, AcceptsTheLimitsExactly) {
  EXPECT_TRUE(ParseJobJson(R"({"prompt":"x","seed":0,"width":64,"height":2048})", RequestDefaults{},
                           Limits())
                  .ok());
  EXPECT_TRUE(
      ParseJobJson(R"({"prompt":"x","seed":2147483646})", RequestDefaults{}, Limits()).ok());
  EXPECT_TRUE(ParseJobJson(R"({"prompt":"x","seed":null})", RequestDefaults{}, Limits()).ok());
}

TEST(ParseQueueMessageBody, TakesPlainTextAsThePrompt) {
  auto spec =
      ParseQueueMessageBody("  En katt og en hund i verdensrommet\n", RequestDefaults{}, Limits());
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->request.prompt, "En katt og en hund i verdensrommet");
  EXPECT_EQ(spec->request.width, 512);
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

TEST(DeriveSeed, IsStableAndInRange) {
  EXPECT_EQ(DeriveSeed("0d3f6a8e-1"), DeriveSeed("0d3f6a8e-1"));
  EXPECT_NE(DeriveSeed("0d3f6a8e-1"), DeriveSeed("0d3f6a8e-2"));
  for (int i = 0; i < 1000; ++i) EXPECT_LE(DeriveSeed(std::to_string(i)), kMaxSeed);
}

}  // namespace
}  // namespace pictor
