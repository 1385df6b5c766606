// The pictor binary on a platform identity: with only AWS_WEB_IDENTITY_TOKEN_FILE and
// AWS_ROLE_ARN set (what EKS IRSA and GitHub OIDC give a process), `pictor send` gets role
// credentials from STS (tests/peers/sts_peer.py) and sends through fauxqs; and whatever it logs
// or prints, at debug level, success or failure, never holds the token or the session token.
#include <fstream>

#include "integration/aws_e2e/aws_fixture.h"
#include "net/http_client.h"

namespace pictor::aws_e2e {
namespace {

constexpr char kToken[] = "eyJhbGciOiJSUzI1NiIsImtpZCI6IndlYi1pZGVudGl0eSJ9.e2e-token.sig";
// Every session token sts_peer.py issues starts with this.
constexpr char kSessionTokenPrefix[] = "FwoGZXIvYXdzE";

class WebIdentityTest : public AwsPeersTest {
 protected:
  void SetUp() override {
    AwsPeersTest::SetUp();
    auto sts = pictor::testing::StartStsPeer({"--region", "us-east-1"});
    ASSERT_TRUE(sts.ok()) << sts.status().ToString();
    sts_ = std::move(sts).value();
    token_file_ = dir_ / "token";
    std::ofstream(token_file_) << kToken;
  }

  // AwsEnv() without keys, with the platform's web identity variables instead.
  EnvChanges WebIdentityEnv() const {
    return {{"AWS_ACCESS_KEY_ID", std::nullopt},
            {"AWS_SECRET_ACCESS_KEY", std::nullopt},
            {"AWS_WEB_IDENTITY_TOKEN_FILE", token_file_},
            {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/pictor-worker"},
            {"AWS_ROLE_SESSION_NAME", "e2e"},
            {"AWS_ENDPOINT_URL_STS", sts_->base_url()},
            {"PICTOR_LOG_LEVEL", "debug"}};
  }

  std::string StsGet(const std::string& path, const std::string& body = "") {
    auto http = net::NewHttpClient();
    Result<net::HttpReply> reply = http->Perform(
        {.method = body.empty() ? "GET" : "POST", .url = sts_->base_url() + path, .body = body});
    EXPECT_TRUE(reply.ok());
    return reply.ok() ? reply->body : "";
  }

  std::unique_ptr<pictor::testing::PeerProcess> sts_;
  std::string token_file_;
};

TEST_F(WebIdentityTest, SendUsesTheAssumedRoleAndPrintsNoSecret) {
  std::string queue = MakeQueue("irsa-prompts");
  ASSERT_FALSE(queue.empty());
  RunResult sent =
      Pictor({"send", "A lighthouse in moonlight", "--queue", queue}, WebIdentityEnv());
  ASSERT_EQ(sent.code(), 0) << sent.err;
  nlohmann::json calls = nlohmann::json::parse(StsGet("/_calls"));
  ASSERT_EQ(calls.size(), 1u) << calls.dump();
  EXPECT_EQ(calls[0]["action"], "AssumeRoleWithWebIdentity");
  EXPECT_EQ(calls[0]["token"], kToken);
  EXPECT_EQ(Depth(queue).visible, 1);
  for (const std::string* text : {&sent.out, &sent.err}) {
    EXPECT_EQ(text->find(kToken), std::string::npos) << *text;
    EXPECT_EQ(text->find(kSessionTokenPrefix), std::string::npos) << *text;
  }
}

TEST_F(WebIdentityTest, RefusedIdentityFailsWithoutPrintingTheToken) {
  std::string queue = MakeQueue("irsa-refused");
  ASSERT_FALSE(queue.empty());
  StsGet("/_control", R"({"mode":"echo_secret"})");  // STS quotes the token back
  RunResult sent =
      Pictor({"send", "A lighthouse in moonlight", "--queue", queue}, WebIdentityEnv());
  EXPECT_NE(sent.code(), 0);
  EXPECT_NE((sent.out + sent.err).find("AssumeRoleWithWebIdentity"), std::string::npos) << sent.err;
  EXPECT_EQ((sent.out + sent.err).find(kToken), std::string::npos) << sent.err;
  EXPECT_EQ(Depth(queue).visible, 0);
}

}  // namespace
}  // namespace pictor::aws_e2e
