#include "core/validation.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <utility>
#include <vector>

#include "core/job_message.h"
#include "core/strict_json.h"
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

TEST(Utf8, AppendsEachLengthOfEncoding) {
  std::string out;
  for (uint32_t cp : {0x41u, 0xE5u, 0x20ACu, 0x1F680u, 0x10FFFFu}) AppendUtf8(out, cp);
  EXPECT_EQ(out, "A\u00e5\u20ac\U0001F680\U0010FFFF");
  EXPECT_TRUE(IsValidUtf8(out));
  EXPECT_EQ(CountCodePoints(out), 5u);
}

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

TEST(DeriveSeed, IsStableAndInRange) {
  EXPECT_EQ(DeriveSeed("0d3f6a8e-1"), DeriveSeed("0d3f6a8e-1"));
  EXPECT_NE(DeriveSeed("0d3f6a8e-1"), DeriveSeed("0d3f6a8e-2"));
  for (int i = 0; i < 1000; ++i) EXPECT_LE(DeriveSeed(std::to_string(i)), kMaxSeed);
}

}  // namespace
}  // namespace pictor

namespace pictor {
namespace {

// Code points that draw nothing: a prompt made only of them is an empty prompt.
const std::vector<std::pair<std::string, std::string>> kInvisible = {
    {"U+200B zero width space", "\u200B"},
    {"U+FEFF byte order mark", "\uFEFF"},
    {"U+2060 word joiner", "\u2060"},
    {"U+200C zero width non-joiner", "\u200C"},
    {"U+200D zero width joiner", "\u200D"},
    {"U+00AD soft hyphen", "\u00AD"},
    {"U+180E Mongolian vowel separator", "\u180E"},
    {"U+FE0F variation selector 16", "\uFE0F"},
    {"U+E0041 tag latin capital A", "\U000E0041"},
    {"U+E0100 variation selector 17", "\U000E0100"},
    {"U+200E left-to-right mark", "\u200E"},
    {"U+200F right-to-left mark", "\u200F"},
    {"U+202A left-to-right embedding", "\u202A"},
    {"U+202E right-to-left override", "\u202E"},
    {"U+2066 left-to-right isolate", "\u2066"},
    {"U+2069 pop directional isolate", "\u2069"},
    {"U+3000 ideographic space", "\u3000"},
    {"U+2028 line separator", "\u2028"},
    {"U+2800 braille pattern blank", "\u2800"},
    {"U+3164 Hangul filler", "\u3164"},
};

TEST(ValidatePrompt, RejectsC1ControlCharactersNamingThem) {
  for (uint32_t cp : {0x80u, 0x85u, 0x9Bu, 0x9Fu}) {
    std::string text = "a cat ";
    text += static_cast<char>(0xC2);
    text += static_cast<char>(0x80 | (cp & 0x3F));
    Status s = ValidatePromptText(text, Limits(), "prompt", false);
    EXPECT_EQ(s.reason(), "invalid_prompt") << std::hex << cp;
    char name[16];
    std::snprintf(name, sizeof name, "U+%04X", cp);
    EXPECT_NE(s.message().find(name), std::string::npos) << s.message();
  }
  // U+00A0 (no-break space), the first code point after C1, is allowed.
  EXPECT_TRUE(ValidatePromptText("a\u00A0cat", Limits(), "prompt", false).ok());
}

TEST(ValidatePrompt, RejectsCarriageReturnAndOtherC0ButNotNewlineOrTab) {
  EXPECT_EQ(ValidatePromptText("a cat\r\n", Limits(), "prompt", false).reason(), "invalid_prompt");
  EXPECT_EQ(ValidatePromptText("a\x1B[31mcat", Limits(), "prompt", false).reason(),
            "invalid_prompt");
}

TEST(ValidatePrompt, ControlCharactersAreRejectedInTheNegativePromptToo) {
  auto spec = ParseJobJson(R"({"prompt":"a cat","negative_prompt":"dogs\u0085"})",
                           RequestDefaults{}, Limits());
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().reason(), "invalid_prompt");
  EXPECT_NE(spec.status().message().find("negative_prompt"), std::string::npos);
}

TEST(ValidatePrompt, PromptOfOnlyInvisibleCharactersIsEmpty) {
  for (const auto& [name, text] : kInvisible) {
    Status alone = ValidatePromptText(text, Limits(), "prompt", false);
    EXPECT_EQ(alone.reason(), "prompt_required") << name;
    Status many = ValidatePromptText(" " + text + text + "\u200B\t", Limits(), "prompt", false);
    EXPECT_EQ(many.reason(), "prompt_required") << name;
    EXPECT_EQ(many.message(), "prompt is required") << name;
  }
}

TEST(ValidatePrompt, InvisibleCharactersBesideVisibleOnesAreKept) {
  // A family emoji is joined by U+200D; a keycap carries U+FE0F.
  EXPECT_TRUE(ValidatePromptText("\U0001F468\u200D\U0001F469", Limits(), "prompt", false).ok());
  auto spec = ParseJobJson("{\"prompt\":\"\u200Bkatt\u200B\"}", RequestDefaults{}, Limits());
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->request.prompt, "\u200Bkatt\u200B");
}

TEST(ValidatePrompt, InvisibleOnlyPromptInJsonAndQueueBodiesIsPromptRequired) {
  auto json = ParseJobJson(R"({"prompt":"\u200b\ufeff\u2060"})", RequestDefaults{}, Limits());
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.status().reason(), "prompt_required");
  auto text = ParseQueueMessageBody("\u200B\u200C\u200D", RequestDefaults{}, Limits());
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().reason(), "prompt_required");
}

TEST(ValidatePrompt, InvisibleOnlyNegativePromptBecomesNone) {
  auto spec = ParseJobJson(R"({"prompt":"a cat","negative_prompt":"\u200b\u00ad"})",
                           RequestDefaults{}, Limits());
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->request.negative_prompt, "");
}

TEST(Utf8, VisibleCharactersAreEverythingOutsideTheInvisibleSet) {
  EXPECT_FALSE(HasVisibleCharacter(""));
  EXPECT_TRUE(HasVisibleCharacter("\u200B.\u200B"));
  EXPECT_TRUE(HasVisibleCharacter("\u1806"));      // Mongolian todo soft hyphen: visible
  EXPECT_TRUE(HasVisibleCharacter("\U000E1000"));  // just past the tag block
  EXPECT_FALSE(IsInvisible('a'));
  EXPECT_TRUE(IsInvisible(0xE0FFF));
}

TEST(ParseJobJson, RejectsADuplicateKeyNamingIt) {
  auto spec =
      ParseJobJson(R"({"prompt":"a cat","seed":1,"prompt":"a dog"})", RequestDefaults{}, Limits());
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().reason(), "duplicate_key");
  EXPECT_TRUE(spec.status().IsInvalidArgument());
  EXPECT_NE(spec.status().message().find("\"prompt\""), std::string::npos)
      << spec.status().message();
}

TEST(ParseJobJson, RejectsADuplicateKeyAtAnyDepth) {
  // The unknown field would be refused anyway; the duplicate inside it is found first.
  auto nested = ParseJobJson(R"({"prompt":"a cat","x":[{"a":1},{"b":{"c":1,"c":2}}]})",
                             RequestDefaults{}, Limits());
  ASSERT_FALSE(nested.ok());
  EXPECT_EQ(nested.status().reason(), "duplicate_key");
  EXPECT_NE(nested.status().message().find("\"c\""), std::string::npos);
}

TEST(ParseJobJson, SameKeyInSiblingObjectsIsNoDuplicate) {
  nlohmann::json doc;
  EXPECT_TRUE(ParseStrictJson(R"({"a":{"k":1},"b":{"k":2},"c":[{"k":1},{"k":2}]})", &doc).ok());
  EXPECT_EQ(doc["b"]["k"], 2);
}

TEST(ParseJobJson, KeysEqualOnlyAfterUnescapingAreDuplicates) {
  auto spec = ParseJobJson(R"({"prompt":"a","pr\u006fmpt":"b"})", RequestDefaults{}, Limits());
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().reason(), "duplicate_key");
}

TEST(ParseJobJson, MalformedJsonStaysMalformedJson) {
  nlohmann::json doc;
  EXPECT_EQ(ParseStrictJson(R"({"a":1,"a")", &doc).reason(), "malformed_json");
}

TEST(ParseStrictJson, ShortensAVeryLongDuplicateKeyInTheMessage) {
  const std::string key(1000, 'k');
  nlohmann::json doc;
  Status s = ParseStrictJson("{\"" + key + "\":1,\"" + key + "\":2}", &doc);
  EXPECT_EQ(s.reason(), "duplicate_key");
  EXPECT_LT(s.message().size(), 200u);
}

}  // namespace
}  // namespace pictor
