#include "aws/ecs_task_protection.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fakes/scripted_http_client.h"

namespace pictor::aws {
namespace {

constexpr char kProtected[] =
    R"({"protection":{"ExpirationDate":"2026-12-03T17:00:00Z","ProtectionEnabled":true,)"
    R"("TaskArn":"arn:aws:ecs:us-east-1:123456789012:task/c/0123"}})";

TEST(EcsTaskProtectionTest, PutsTheAgentsShapeToItsEndpoint) {
  testing::ScriptedHttpClient http;
  http.Reply(200, kProtected);
  http.Reply(200, R"({"protection":{"ProtectionEnabled":false}})");
  EcsTaskProtection agent("http://169.254.170.2/api/abc-123/", http);
  ASSERT_TRUE(agent.SetProtection(true, 15).ok());
  ASSERT_TRUE(agent.SetProtection(false, 15).ok());
  auto calls = http.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].method, "PUT");
  EXPECT_EQ(calls[0].url, "http://169.254.170.2/api/abc-123/task-protection/v1/state");
  ASSERT_EQ(calls[0].headers.size(), 1u);
  EXPECT_EQ(calls[0].headers[0].first, "Content-Type");
  EXPECT_EQ(calls[0].headers[0].second, "application/json");
  EXPECT_EQ(nlohmann::json::parse(calls[0].body),
            nlohmann::json({{"ProtectionEnabled", true}, {"ExpiresInMinutes", 15}}));
  EXPECT_EQ(nlohmann::json::parse(calls[1].body), nlohmann::json({{"ProtectionEnabled", false}}));
  EXPECT_LE(calls[0].total_timeout.count(), 10000);
}

TEST(EcsTaskProtectionTest, TransportFailuresAreReturned) {
  testing::ScriptedHttpClient http;
  http.Fail(Status::Unavailable("connection refused"));
  EcsTaskProtection agent("http://127.0.0.1:1/api/x", http);
  Status s = agent.SetProtection(true, 1);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("ECS agent"), std::string::npos) << s.message();
}

TEST(ReadTaskProtectionReplyTest, OkOnlyForAProtectionObject) {
  EXPECT_TRUE(ReadTaskProtectionReply(200, kProtected).ok());
  EXPECT_FALSE(ReadTaskProtectionReply(200, R"({"protection":true})").ok());
  EXPECT_FALSE(ReadTaskProtectionReply(200, "{}").ok());
  EXPECT_FALSE(ReadTaskProtectionReply(200, "not json").ok());
  EXPECT_FALSE(ReadTaskProtectionReply(500, kProtected).ok());
}

TEST(ReadTaskProtectionReplyTest, AFailureNamesItsReason) {
  Status s = ReadTaskProtectionReply(
      200, R"({"failure":{"Arn":"a","Reason":"TASK_NOT_VALID","Detail":"not in a service"}})");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("TASK_NOT_VALID: not in a service"), std::string::npos) << s.message();
}

TEST(ReadTaskProtectionReplyTest, ErrorsNameCodeAndMessage) {
  Status denied = ReadTaskProtectionReply(
      403, R"({"error":{"Code":"AccessDeniedException","Message":"not authorized"}})");
  EXPECT_EQ(denied.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(denied.message().find("HTTP 403: AccessDeniedException: not authorized"),
            std::string::npos)
      << denied.message();
  Status server = ReadTaskProtectionReply(500, "<html>\n\x1b</html>");
  EXPECT_EQ(server.code(), StatusCode::kUnavailable);
  EXPECT_NE(server.message().find("HTTP 500"), std::string::npos);
}

TEST(ReadTaskProtectionReplyTest, QuotesTheAgentShortAndPrintable) {
  const std::string long_message(1000, 'x');
  Status s = ReadTaskProtectionReply(
      400, R"({"error":{"Code":"X","Message":")" + long_message + "\\n\\u001b\"}}");
  EXPECT_LT(s.message().size(), 400u);
  for (unsigned char c : s.message()) EXPECT_TRUE(c >= 0x20 && c < 0x7f);
}

}  // namespace
}  // namespace pictor::aws
