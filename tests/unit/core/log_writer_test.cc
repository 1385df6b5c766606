#include "core/log_writer.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <thread>

#include "core/log_fields.h"

namespace pictor {
namespace {

nlohmann::json Parse(const std::string& line) {
  EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
  return nlohmann::json::parse(line);
}

TEST(JsonLogLineTest, HasTimeLevelMessageAndOnlyTheIdsSet) {
  const std::string line = JsonLogLine(1764785017123, "info", "job stored", LogFields{});
  EXPECT_EQ(line,
            "{\"time\":\"2025-12-03T18:03:37.123Z\",\"level\":\"info\",\"message\":\"job "
            "stored\"}\n");
  auto j = Parse(JsonLogLine(0, "warning", "m", LogFields{"r-1", "j-1", "m-1"}));
  EXPECT_EQ(j["time"], "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(j["level"], "warning");
  EXPECT_EQ(j["requestId"], "r-1");
  EXPECT_EQ(j["jobId"], "j-1");
  EXPECT_EQ(j["messageId"], "m-1");
}

TEST(JsonLogLineTest, EscapesControlCharactersSoALineNeverSplits) {
  const std::string message = "one\ntwo\r\x1b[31m\t\"q\"\\ \x7f";
  const std::string line = JsonLogLine(0, "error", message, LogFields{"", "a\nb", ""});
  for (size_t i = 0; i + 1 < line.size(); ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    EXPECT_TRUE(c >= 0x20 && c < 0x7f) << "byte " << i << " of " << line;
  }
  auto j = Parse(line);
  EXPECT_EQ(j["message"], message);
  EXPECT_EQ(j["jobId"], "a\nb");
}

TEST(JsonLogLineTest, WritesNonAsciiAsEscapesAndReplacesBytesThatAreNotUtf8) {
  const std::string line = JsonLogLine(0, "info", "m\xc3\xa5nen \xe2\x80\xa8 \xff end", {});
  EXPECT_NE(line.find("m\\u00e5nen \\u2028 \\ufffd end"), std::string::npos) << line;
  EXPECT_EQ(Parse(line)["message"], "m\xc3\xa5nen \xe2\x80\xa8 \xef\xbf\xbd end");
}

TEST(TextLogSuffixTest, NamesTheIdsSetAndMasksWhatIsNotPrintable) {
  EXPECT_EQ(TextLogSuffix(LogFields{}), "");
  EXPECT_EQ(TextLogSuffix(LogFields{"r 1", "j\n1", "m-\xc3\xa5"}),
            " requestId=r?1 jobId=j?1 messageId=m-??");
  EXPECT_EQ(TextLogSuffix(LogFields{"", "j", ""}), " jobId=j");
}

TEST(ParseLogFormatTest, AcceptsTextAndJsonOnly) {
  EXPECT_EQ(*ParseLogFormat("text"), LogFormat::kText);
  EXPECT_EQ(*ParseLogFormat("json"), LogFormat::kJson);
  auto bad = ParseLogFormat("JSON");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().IsInvalidArgument());
  EXPECT_NE(bad.status().message().find("text, json"), std::string::npos);
}

TEST(RequestIdTest, AcceptsSaneClientIdsOnly) {
  EXPECT_TRUE(IsAcceptableRequestId("0f8b1c2e-6c1d-4f7a-9a51-2a1f3d9b7c10"));
  EXPECT_TRUE(IsAcceptableRequestId("svc:req_42.a-b"));
  EXPECT_TRUE(IsAcceptableRequestId(std::string(128, 'x')));
  EXPECT_FALSE(IsAcceptableRequestId(std::string(129, 'x')));
  EXPECT_FALSE(IsAcceptableRequestId(""));
  EXPECT_FALSE(IsAcceptableRequestId("a b"));
  EXPECT_FALSE(IsAcceptableRequestId("a\r\nX-Evil: 1"));
  EXPECT_FALSE(IsAcceptableRequestId("Root=1-5759e988;Parent=1"));
  EXPECT_FALSE(IsAcceptableRequestId("r\xc3\xa5"));
}

TEST(LogScopeTest, NestsAndRestores) {
  EXPECT_EQ(CurrentLogFields().job_id, "");
  {
    LogScope job(LogField::kJobId, "j-1");
    LogScope message(LogField::kMessageId, "m-1");
    EXPECT_EQ(CurrentLogFields().job_id, "j-1");
    {
      LogScope other(LogField::kJobId, "j-2");
      EXPECT_EQ(CurrentLogFields().job_id, "j-2");
      EXPECT_EQ(CurrentLogFields().message_id, "m-1");
    }
    EXPECT_EQ(CurrentLogFields().job_id, "j-1");
  }
  EXPECT_EQ(CurrentLogFields().job_id, "");
  EXPECT_EQ(CurrentLogFields().message_id, "");
}

TEST(LogScopeTest, BelongsToItsThreadWhileTheProcessRequestIdIsEveryThreads) {
  LogScope request(LogField::kRequestId, "mine");
  std::string seen_by_other = "unset";
  std::thread([&] { seen_by_other = CurrentLogFields().request_id; }).join();
  EXPECT_EQ(seen_by_other, "");

  SetProcessRequestId("invocation-1");
  std::thread([&] { seen_by_other = CurrentLogFields().request_id; }).join();
  EXPECT_EQ(seen_by_other, "invocation-1");
  EXPECT_EQ(CurrentLogFields().request_id, "mine");  // a thread's own id wins
  SetProcessRequestId("");
}

}  // namespace
}  // namespace pictor
