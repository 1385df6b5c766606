// Temporary credentials from STS: web identity (environment and profile), profiles that assume a
// role from a source profile or a credential_source, their refresh, their errors and their
// secrecy. Against tests/peers/sts_peer.py, which checks every AssumeRole signature with
// botocore; and, for the same configuration, botocore's own credential resolution.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <memory>

#include "aws/credentials.h"
#include "aws/sts.h"
#include "peers/peer_process.h"
#include "scoped_env.h"
#include "unit/net/test_http_server.h"

namespace pictor::aws {
namespace {

using net::testing::RecordedRequest;
using net::testing::ScriptedReply;
using net::testing::TestHttpServer;
using std::chrono::system_clock;
using testing::ScopedAwsEnv;

constexpr char kBaseKeyId[] = "AKIDBASEPROFILE01";
constexpr char kBaseSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYBASESECRET";
constexpr char kRole[] = "arn:aws:iam::123456789012:role/pictor-worker";
constexpr char kOtherRole[] = "arn:aws:iam::123456789012:role/pictor-middle";

// One STS peer for the suite: starting Python and botocore takes a while.
class RoleCredentialsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto peer = pictor::testing::StartStsPeer(
        {"--region", "eu-north-1", "--identity", std::string(kBaseKeyId) + ":" + kBaseSecret});
    ASSERT_TRUE(peer.ok()) << peer.status().ToString();
    peer_ = std::move(peer).value().release();
  }
  static void TearDownTestSuite() {
    delete peer_;
    peer_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(peer_, nullptr);
    Control(R"({"mode":"ok"})");
    env_.Set("AWS_ENDPOINT_URL_STS", peer_->base_url());
    env_.Set("AWS_REGION", "eu-north-1");
  }

  // Sets the peer's mode (sts_peer.py's /_control) and clears its recorded calls.
  void Control(const std::string& json) {
    Result<net::HttpReply> reply =
        http_->Perform({.method = "POST", .url = peer_->base_url() + "/_control", .body = json});
    ASSERT_TRUE(reply.ok() && reply->status == 200);
  }

  nlohmann::json Calls() {
    Result<net::HttpReply> reply = http_->Perform({.url = peer_->base_url() + "/_calls"});
    EXPECT_TRUE(reply.ok());
    return reply.ok() ? nlohmann::json::parse(reply->body) : nlohmann::json::array();
  }

  Result<TimedCredentials> Chain(CredentialsChainOptions options = {}) {
    return ResolveCredentialsChain(options, *http_);
  }

  void UseWebIdentity(const std::string& token) {
    // As the kubelet writes it: no line break (botocore would send one as part of the token).
    env_.Set("AWS_WEB_IDENTITY_TOKEN_FILE", env_.WriteFile("eks/token", token));
    env_.Set("AWS_ROLE_ARN", kRole);
    env_.Set("AWS_ROLE_SESSION_NAME", "pod-1234");
  }

  void WriteBaseCredentials(const std::string& extra = "") {
    env_.WriteFile(".aws/credentials", std::string("[base]\naws_access_key_id = ") + kBaseKeyId +
                                           "\naws_secret_access_key = " + kBaseSecret + "\n" +
                                           extra);
  }

  static pictor::testing::PeerProcess* peer_;
  ScopedAwsEnv env_;
  std::unique_ptr<net::HttpClient> http_ = net::NewHttpClient();
};

pictor::testing::PeerProcess* RoleCredentialsTest::peer_ = nullptr;

TEST_F(RoleCredentialsTest, WebIdentityFromTheEnvironmentAssumesTheRoleUnsigned) {
  UseWebIdentity("eyJhbGciOiJSUzI1NiJ9.token-one.sig");
  Result<TimedCredentials> found = Chain();
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_TRUE(found->credentials.access_key_id.starts_with("ASIA"));
  EXPECT_FALSE(found->credentials.secret_access_key.empty());
  EXPECT_FALSE(found->credentials.session_token.empty());
  EXPECT_EQ(found->source, "web-identity");
  ASSERT_TRUE(found->expiration);
  EXPECT_GT(*found->expiration, system_clock::now() + std::chrono::minutes(50));
  nlohmann::json calls = Calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0]["action"], "AssumeRoleWithWebIdentity");
  EXPECT_EQ(calls[0]["role_arn"], kRole);
  EXPECT_EQ(calls[0]["session_name"], "pod-1234");
  EXPECT_EQ(calls[0]["token"], "eyJhbGciOiJSUzI1NiJ9.token-one.sig");
  EXPECT_EQ(calls[0]["signed"], false);
}

TEST_F(RoleCredentialsTest, RefreshReadsTheRotatedTokenFileAgain) {
  Control(R"({"mode":"ok","expiry_seconds":60})");  // inside the provider's 5-minute margin
  UseWebIdentity("token-before-rotation");
  auto provider = CredentialsProvider::FromChain({}, *http_);
  Result<Credentials> first = provider->Get();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  env_.WriteFile("eks/token", "token-after-rotation\n");  // the kubelet rotates it; \n is cut
  Result<Credentials> second = provider->Get();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_NE(first->access_key_id, second->access_key_id);
  nlohmann::json calls = Calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0]["token"], "token-before-rotation");
  EXPECT_EQ(calls[1]["token"], "token-after-rotation");
}

TEST_F(RoleCredentialsTest, LongLivedCredentialsAreNotRefetched) {
  UseWebIdentity("token-one");
  auto provider = CredentialsProvider::FromChain({}, *http_);
  ASSERT_TRUE(provider->Get().ok());
  ASSERT_TRUE(provider->Get().ok());
  EXPECT_EQ(Calls().size(), 1u);
}

TEST_F(RoleCredentialsTest, EnvironmentKeysComeBeforeWebIdentity) {
  UseWebIdentity("token-one");
  env_.Set("AWS_ACCESS_KEY_ID", "AKIDENV");
  env_.Set("AWS_SECRET_ACCESS_KEY", "envsecret");
  Result<TimedCredentials> found = Chain();
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->source, "environment");
  EXPECT_TRUE(Calls().empty());
}

TEST_F(RoleCredentialsTest, WebIdentityComesBeforeTheProfile) {
  UseWebIdentity("token-one");
  WriteBaseCredentials();
  env_.Set("AWS_PROFILE", "base");
  Result<TimedCredentials> found = Chain();
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->source, "web-identity");
}

TEST_F(RoleCredentialsTest, TokenFileWithoutRoleArnIsInvalidArgument) {
  UseWebIdentity("token-one");
  env_.Unset("AWS_ROLE_ARN");
  Result<TimedCredentials> found = Chain();
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(RoleCredentialsTest, UnreadableTokenFileStopsTheChain) {
  env_.Set("AWS_WEB_IDENTITY_TOKEN_FILE", (env_.home() / "missing-token").string());
  env_.Set("AWS_ROLE_ARN", kRole);
  WriteBaseCredentials();
  env_.Set("AWS_PROFILE", "base");  // a working profile must not paper over the broken source
  Result<TimedCredentials> found = Chain();
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(found.status().message().find("missing-token"), std::string::npos);
  EXPECT_TRUE(Calls().empty());
}

TEST_F(RoleCredentialsTest, ProfileWebIdentityTokenFile) {
  std::string token = env_.WriteFile("oidc/token", "github-oidc-token");
  env_.WriteFile(".aws/config", "[profile ci]\nrole_arn = " + std::string(kRole) +
                                    "\nweb_identity_token_file = " + token +
                                    "\nrole_session_name = ci-run\nduration_seconds = 900\n");
  Result<TimedCredentials> found = Chain({.profile = "ci"});
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->source, "profile:ci/web-identity");
  nlohmann::json calls = Calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0]["token"], "github-oidc-token");
  EXPECT_EQ(calls[0]["session_name"], "ci-run");
  EXPECT_EQ(calls[0]["duration_seconds"], 900);
}

TEST_F(RoleCredentialsTest, SourceProfileKeysSignAssumeRole) {
  WriteBaseCredentials();
  env_.WriteFile(".aws/config", "[profile app]\nrole_arn = " + std::string(kRole) +
                                    "\nsource_profile = base\nexternal_id = pictor-ext-7\n"
                                    "role_session_name = pictor-app\nduration_seconds = 1800\n");
  Result<TimedCredentials> found = Chain({.profile = "app"});
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->source, "profile:app/assume-role");
  EXPECT_TRUE(found->credentials.access_key_id.starts_with("ASIA"));
  ASSERT_TRUE(found->expiration);
  nlohmann::json calls = Calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0]["action"], "AssumeRole");
  EXPECT_EQ(calls[0]["caller"], kBaseKeyId);  // the peer verified the signature with its secret
  EXPECT_EQ(calls[0]["signed"], true);
  EXPECT_EQ(calls[0]["external_id"], "pictor-ext-7");
  EXPECT_EQ(calls[0]["session_name"], "pictor-app");
  EXPECT_EQ(calls[0]["duration_seconds"], 1800);
}

TEST_F(RoleCredentialsTest, ASignatureWithTheWrongSecretIsRefused) {
  env_.WriteFile(".aws/credentials", std::string("[base]\naws_access_key_id = ") + kBaseKeyId +
                                         "\naws_secret_access_key = not-the-secret\n");
  env_.WriteFile(".aws/config",
                 "[profile app]\nrole_arn = " + std::string(kRole) + "\nsource_profile = base\n");
  Result<TimedCredentials> found = Chain({.profile = "app"});
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(found.status().peer_code(), "SignatureDoesNotMatch");
  EXPECT_EQ(found.status().ToString().find("not-the-secret"), std::string::npos);
}

TEST_F(RoleCredentialsTest, ChainedRolesSignEachLinkWithThePreviousCredentials) {
  WriteBaseCredentials();
  env_.WriteFile(".aws/config", "[profile app]\nrole_arn = " + std::string(kRole) +
                                    "\nsource_profile = middle\nrole_session_name = app\n"
                                    "[profile middle]\nrole_arn = " +
                                    kOtherRole +
                                    "\nsource_profile = base\nrole_session_name = middle\n");
  Result<TimedCredentials> found = Chain({.profile = "app"});
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  nlohmann::json calls = Calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0]["role_arn"], kOtherRole);
  EXPECT_EQ(calls[0]["caller"], kBaseKeyId);
  EXPECT_EQ(calls[1]["role_arn"], kRole);
  // Signed with the middle role's temporary keys and its session token, which the peer checked.
  EXPECT_TRUE(calls[1]["caller"].get<std::string>().starts_with("ASIA"));
}

TEST_F(RoleCredentialsTest, SourceProfileCycleIsInvalidArgumentWithoutCallingSts) {
  env_.WriteFile(".aws/config",
                 "[profile a]\nrole_arn = " + std::string(kRole) + "\nsource_profile = b\n" +
                     "[profile b]\nrole_arn = " + kOtherRole + "\nsource_profile = a\n");
  Result<TimedCredentials> found = Chain({.profile = "a"});
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(found.status().message().find("a -> b -> a"), std::string::npos)
      << found.status().message();
  EXPECT_TRUE(Calls().empty());
}

TEST_F(RoleCredentialsTest, ProfileNamingItselfAssumesTheRoleWithItsOwnKeys) {
  WriteBaseCredentials();
  env_.WriteFile(".aws/config",
                 "[profile base]\nrole_arn = " + std::string(kRole) + "\nsource_profile = base\n");
  Result<TimedCredentials> found = Chain({.profile = "base"});
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->source, "profile:base/assume-role");
  ASSERT_EQ(Calls().size(), 1u);
}

TEST_F(RoleCredentialsTest, CredentialSourceEnvironment) {
  env_.Set("AWS_ACCESS_KEY_ID", kBaseKeyId);
  env_.Set("AWS_SECRET_ACCESS_KEY", kBaseSecret);
  env_.WriteFile(".aws/config", "[profile app]\nrole_arn = " + std::string(kRole) +
                                    "\ncredential_source = Environment\n");
  Result<TimedCredentials> found = CredentialsFromProfile("app", *http_, {});
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->source, "profile:app/assume-role");
  EXPECT_EQ(Calls().at(0)["caller"], kBaseKeyId);
}

TEST_F(RoleCredentialsTest, CredentialSourceEcsContainer) {
  TestHttpServer container([](const RecordedRequest&) {
    return ScriptedReply{200,
                         {},
                         std::string(R"({"AccessKeyId":")") + kBaseKeyId +
                             R"(","SecretAccessKey":")" + kBaseSecret + R"("})"};
  });
  env_.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", container.url() + "/creds");
  env_.WriteFile(".aws/config", "[profile app]\nrole_arn = " + std::string(kRole) +
                                    "\ncredential_source = EcsContainer\n");
  Result<TimedCredentials> found = Chain({.profile = "app"});
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->source, "profile:app/assume-role");
  EXPECT_EQ(container.requests().size(), 1u);
}

TEST_F(RoleCredentialsTest, CredentialSourceThatFindsNothingIsInvalidArgument) {
  env_.WriteFile(".aws/config", "[profile app]\nrole_arn = " + std::string(kRole) +
                                    "\ncredential_source = Environment\n");
  Result<TimedCredentials> found = Chain({.profile = "app"});
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(RoleCredentialsTest, UnknownCredentialSourceNamesTheAcceptedOnes) {
  env_.WriteFile(".aws/config", "[profile app]\nrole_arn = " + std::string(kRole) +
                                    "\ncredential_source = Ec2Metadata\n");
  Result<TimedCredentials> found = Chain({.profile = "app"});
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(found.status().message().find("Ec2InstanceMetadata"), std::string::npos);
}

TEST_F(RoleCredentialsTest, MfaSerialIsUnsupported) {
  WriteBaseCredentials();
  env_.WriteFile(".aws/config", "[profile app]\nrole_arn = " + std::string(kRole) +
                                    "\nsource_profile = base\n"
                                    "mfa_serial = arn:aws:iam::123456789012:mfa/me\n");
  Result<TimedCredentials> found = Chain({.profile = "app"});
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), StatusCode::kUnsupported);
  EXPECT_TRUE(Calls().empty());
}

TEST_F(RoleCredentialsTest, DurationOutOfRangeIsInvalidArgument) {
  WriteBaseCredentials();
  env_.WriteFile(".aws/config", "[profile app]\nrole_arn = " + std::string(kRole) +
                                    "\nsource_profile = base\nduration_seconds = 60\n");
  Result<TimedCredentials> found = Chain({.profile = "app"});
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), StatusCode::kInvalidArgument);
}

// The STS error table of sts.h, one row per mode of the peer.
struct ErrorCase {
  const char* mode;
  StatusCode code;
  const char* peer_code;
};

TEST_F(RoleCredentialsTest, StsErrorsMapToTheDocumentedCodes) {
  const ErrorCase cases[] = {
      {"throttle", StatusCode::kUnavailable, "Throttling"},
      {"unavailable", StatusCode::kUnavailable, "ServiceUnavailable"},
      {"access_denied", StatusCode::kPermissionDenied, "AccessDenied"},
      {"malformed", StatusCode::kInternal, ""},
  };
  UseWebIdentity("token-one");
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE(c.mode);
    Control(std::string(R"({"mode":")") + c.mode + "\"}");
    Result<TimedCredentials> found = Chain();
    ASSERT_FALSE(found.ok());
    EXPECT_EQ(found.status().code(), c.code) << found.status().ToString();
    EXPECT_EQ(found.status().peer_code(), c.peer_code);
    EXPECT_EQ(found.status().IsRetryable(), c.code == StatusCode::kUnavailable);
  }
}

TEST_F(RoleCredentialsTest, ThrottlingIsRetriedBeforeItIsReported) {
  Control(R"({"mode":"throttle","times":1})");
  UseWebIdentity("token-one");
  Result<TimedCredentials> found = Chain();
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(Calls().size(), 2u);
}

TEST_F(RoleCredentialsTest, RefusedTokensArePermissionDenied) {
  for (const char* token : {"invalid-signature", "expired-yesterday"}) {
    SCOPED_TRACE(token);
    UseWebIdentity(token);
    Result<TimedCredentials> found = Chain();
    ASSERT_FALSE(found.ok());
    EXPECT_EQ(found.status().code(), StatusCode::kPermissionDenied) << found.status().ToString();
    EXPECT_EQ(found.status().message().find(token), std::string::npos);
  }
}

TEST_F(RoleCredentialsTest, ErrorsNeverCarryTheTokenOrTheSourceSecrets) {
  Control(R"({"mode":"echo_secret"})");
  const std::string token = "eyJraWQiOiJ3ZWItaWRlbnRpdHktc2VjcmV0In0.payload.signature";
  UseWebIdentity(token);
  Result<TimedCredentials> web = Chain();
  ASSERT_FALSE(web.ok());
  EXPECT_EQ(web.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(web.status().ToString().find(token), std::string::npos) << web.status().ToString();
  EXPECT_NE(web.status().ToString().find("<redacted>"), std::string::npos);

  env_.Unset("AWS_WEB_IDENTITY_TOKEN_FILE");
  const std::string session = "IQoJb3JpZ2luX2VjEBASESESSIONTOKENSECRET";
  WriteBaseCredentials("aws_session_token = " + session + "\n");
  env_.WriteFile(".aws/config",
                 "[profile app]\nrole_arn = " + std::string(kRole) + "\nsource_profile = base\n");
  Result<TimedCredentials> role = Chain({.profile = "app"});
  ASSERT_FALSE(role.ok());
  const std::string text = role.status().ToString();
  EXPECT_EQ(text.find(session), std::string::npos) << text;
  EXPECT_EQ(text.find(kBaseSecret), std::string::npos) << text;
}

TEST_F(RoleCredentialsTest, DescriptionOfAssumedCredentialsHoldsNoSecret) {
  UseWebIdentity("token-one");
  Result<TimedCredentials> found = Chain();
  ASSERT_TRUE(found.ok());
  std::string text = DescribeCredentials(*found);
  EXPECT_EQ(text.find(found->credentials.secret_access_key), std::string::npos);
  EXPECT_EQ(text.find(found->credentials.session_token), std::string::npos);
  EXPECT_EQ(text.find("token-one"), std::string::npos);
  EXPECT_NE(text.find("web-identity"), std::string::npos);
}

// botocore_resolve.py (beside this file) resolves credentials with botocore from the same
// environment and files, its STS client pointed at the same peer. The peer derives keys from the
// role, session name and caller, so the same identity means the same AccessKeyId.
std::string BotocoreKeyId(const std::string& sts_url) {
  std::string command = "PICTOR_TEST_STS_URL=" + sts_url + " /usr/bin/python3 " +
                        pictor::testing::SourceDir() +
                        "/tests/unit/aws_client/botocore_resolve.py 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return "cannot run botocore_resolve.py";
  std::string out;
  std::array<char, 512> buffer{};
  while (size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) out.append(buffer.data(), n);
  ::pclose(pipe);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

TEST_F(RoleCredentialsTest, BotocoreResolvesTheSameAssumedRole) {
  WriteBaseCredentials();
  env_.WriteFile(".aws/config", "[profile app]\nrole_arn = " + std::string(kRole) +
                                    "\nsource_profile = base\nrole_session_name = same-session\n"
                                    "region = eu-north-1\n");
  env_.Set("AWS_PROFILE", "app");
  Result<TimedCredentials> found = Chain();
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(BotocoreKeyId(peer_->base_url()), found->credentials.access_key_id);
}

TEST_F(RoleCredentialsTest, BotocoreResolvesTheSameWebIdentity) {
  UseWebIdentity("shared-token");
  env_.WriteFile(".aws/config", "[default]\nregion = eu-north-1\n");
  Result<TimedCredentials> found = Chain();
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(BotocoreKeyId(peer_->base_url()), found->credentials.access_key_id);
}

TEST(StsEndpointTest, RegionalEndpointUnlessConfigured) {
  ScopedAwsEnv env;
  env.Set("AWS_REGION", "eu-west-1");
  StsEndpoint regional = ResolveStsEndpoint();
  EXPECT_EQ(regional.url, "https://sts.eu-west-1.amazonaws.com");
  EXPECT_EQ(regional.region, "eu-west-1");
  env.Set("AWS_ENDPOINT_URL", "http://127.0.0.1:4566/");
  EXPECT_EQ(ResolveStsEndpoint().url, "http://127.0.0.1:4566");
  env.Set("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9999");
  EXPECT_EQ(ResolveStsEndpoint().url, "http://127.0.0.1:9999");
  env.Unset("AWS_REGION");
  env.Unset("AWS_ENDPOINT_URL");
  env.Unset("AWS_ENDPOINT_URL_STS");
  StsEndpoint global = ResolveStsEndpoint();
  EXPECT_EQ(global.url, "https://sts.amazonaws.com");
  EXPECT_EQ(global.region, "us-east-1");
}

}  // namespace
}  // namespace pictor::aws
