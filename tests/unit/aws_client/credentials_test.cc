// The credentials chain's order and sources, and the caching provider's refresh rules.
#include "aws/credentials.h"

#include <gtest/gtest.h>

#include <atomic>

#include "scoped_env.h"
#include "unit/net/test_http_server.h"

namespace pictor::aws {
namespace {

using net::testing::RecordedRequest;
using net::testing::ScriptedReply;
using net::testing::TestHttpServer;
using std::chrono::minutes;
using std::chrono::system_clock;
using testing::ScopedAwsEnv;

constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

std::string Iso8601(system_clock::time_point t) {
  std::time_t seconds = system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

std::string CredentialsJson(const std::string& key_id, system_clock::time_point expiration) {
  return R"({"Code":"Success","AccessKeyId":")" + key_id + R"(","SecretAccessKey":")" + kSecret +
         R"(","Token":"session-token","Expiration":")" + Iso8601(expiration) + R"("})";
}

Result<TimedCredentials> Chain(CredentialsChainOptions options = {}) {
  auto http = net::NewHttpClient();
  return ResolveCredentialsChain(options, *http);
}

TEST(CredentialsChainTest, ExplicitCredentialsComeFirst) {
  ScopedAwsEnv env;
  env.Set("AWS_ACCESS_KEY_ID", "AKIDENV");
  env.Set("AWS_SECRET_ACCESS_KEY", kSecret);
  Result<TimedCredentials> found = Chain({.explicit_credentials = Credentials{"AKIDX", "s", ""}});
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->credentials.access_key_id, "AKIDX");
  EXPECT_EQ(found->source, "explicit");
}

TEST(CredentialsChainTest, EnvironmentComesBeforeSharedFiles) {
  ScopedAwsEnv env;
  env.WriteFile(".aws/credentials",
                "[default]\naws_access_key_id=AKIDFILE\n"
                "aws_secret_access_key=filesecret\n");
  env.Set("AWS_ACCESS_KEY_ID", "AKIDENV");
  env.Set("AWS_SECRET_ACCESS_KEY", kSecret);
  env.Set("AWS_SESSION_TOKEN", "tok");
  Result<TimedCredentials> found = Chain();
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->credentials.access_key_id, "AKIDENV");
  EXPECT_EQ(found->credentials.session_token, "tok");
  EXPECT_EQ(found->source, "environment");
}

TEST(CredentialsChainTest, HalfConfiguredEnvironmentIsAnErrorWithoutTheSecret) {
  ScopedAwsEnv env;
  env.Set("AWS_SECRET_ACCESS_KEY", kSecret);
  Result<TimedCredentials> found = Chain();
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(found.status().ToString().find(kSecret), std::string::npos);
}

TEST(CredentialsChainTest, DefaultProfileFromTheCredentialsFile) {
  ScopedAwsEnv env;
  env.WriteFile(".aws/credentials",
                "# keys\n[default]\naws_access_key_id = AKIDFILE\n"
                "aws_secret_access_key = filesecret ; note\n");
  Result<TimedCredentials> found = Chain();
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->credentials.access_key_id, "AKIDFILE");
  EXPECT_EQ(found->credentials.secret_access_key, "filesecret");
  EXPECT_EQ(found->source, "profile:default");
  EXPECT_FALSE(found->expiration);
}

TEST(CredentialsChainTest, AwsProfileSelectsTheProfile) {
  ScopedAwsEnv env;
  env.WriteFile(".aws/credentials",
                "[default]\naws_access_key_id=AKIDDEF\n"
                "aws_secret_access_key=a\n"
                "[work]\naws_access_key_id=AKIDWORK\n"
                "aws_secret_access_key=b\n");
  env.Set("AWS_PROFILE", "work");
  Result<TimedCredentials> found = Chain();
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->credentials.access_key_id, "AKIDWORK");
}

TEST(CredentialsChainTest, ExplicitProfileWinsOverAwsProfile) {
  ScopedAwsEnv env;
  env.WriteFile(".aws/config",
                "[profile a]\naws_access_key_id=AKIDA\naws_secret_access_key=x\n"
                "[profile b]\naws_access_key_id=AKIDB\naws_secret_access_key=y\n");
  env.Set("AWS_PROFILE", "a");
  Result<TimedCredentials> found = Chain({.profile = "b"});
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->credentials.access_key_id, "AKIDB");
}

TEST(CredentialsChainTest, CredentialsFileWinsOverConfigFile) {
  ScopedAwsEnv env;
  env.WriteFile(".aws/config",
                "[profile p]\naws_access_key_id=AKIDCONFIG\n"
                "aws_secret_access_key=c\nregion=eu-west-1\n");
  env.WriteFile(".aws/credentials",
                "[p]\naws_access_key_id=AKIDCREDS\n"
                "aws_secret_access_key=d\n");
  Result<TimedCredentials> found = Chain({.profile = "p"});
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->credentials.access_key_id, "AKIDCREDS");
}

TEST(CredentialsChainTest, SharedCredentialsFileVariableMovesTheFile) {
  ScopedAwsEnv env;
  std::string path = env.WriteFile("other/creds",
                                   "[default]\naws_access_key_id=AKIDMOVED\n"
                                   "aws_secret_access_key=e\n");
  env.Set("AWS_SHARED_CREDENTIALS_FILE", path);
  Result<TimedCredentials> found = Chain();
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->credentials.access_key_id, "AKIDMOVED");
}

TEST(CredentialsChainTest, MissingNamedProfileIsAnError) {
  ScopedAwsEnv env;
  Result<TimedCredentials> found = Chain({.profile = "nope"});
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), StatusCode::kInvalidArgument);
}

TEST(CredentialsChainTest, RoleArnWithoutASourceIsInvalidArgument) {
  ScopedAwsEnv env;
  env.WriteFile(".aws/config", "[profile r]\nrole_arn = arn:aws:iam::1:role/x\n");
  Result<TimedCredentials> found = Chain({.profile = "r"});
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), StatusCode::kInvalidArgument);
}

TEST(CredentialsChainTest, NothingConfiguredIsPermissionDenied) {
  ScopedAwsEnv env;
  Result<TimedCredentials> found = Chain();
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), StatusCode::kPermissionDenied) << found.status().ToString();
}

TEST(ContainerCredentialsTest, FullUriIsCalledWithTheAuthorizationToken) {
  ScopedAwsEnv env;
  auto expiration = system_clock::now() + std::chrono::hours(6);
  TestHttpServer server([&](const RecordedRequest& r) {
    if (r.Header("Authorization") != "container-token") return ScriptedReply{401, {}, ""};
    return ScriptedReply{200, {}, CredentialsJson("ASIACONTAINER", expiration)};
  });
  env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url() + "/creds");
  env.Set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "container-token");
  Result<TimedCredentials> found = Chain();
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->credentials.access_key_id, "ASIACONTAINER");
  EXPECT_EQ(found->credentials.session_token, "session-token");
  EXPECT_EQ(found->source, "container");
  ASSERT_TRUE(found->expiration);
  EXPECT_EQ(system_clock::to_time_t(*found->expiration), system_clock::to_time_t(expiration));
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].target, "/creds");
}

TEST(ContainerCredentialsTest, TokenFileWinsOverTokenVariable) {
  ScopedAwsEnv env;
  TestHttpServer server([](const RecordedRequest&) {
    return ScriptedReply{200, {}, CredentialsJson("ASIAX", system_clock::now() + minutes(60))};
  });
  env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url() + "/creds");
  env.Set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "from-variable");
  env.Set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", env.WriteFile("token", "from-file\n"));
  ASSERT_TRUE(Chain().ok());
  EXPECT_EQ(server.requests().at(0).Header("Authorization"), "from-file");
}

TEST(ContainerCredentialsTest, ProfileComesBeforeContainer) {
  ScopedAwsEnv env;
  TestHttpServer server([](const RecordedRequest&) { return ScriptedReply{500, {}, ""}; });
  env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url() + "/creds");
  env.WriteFile(".aws/credentials",
                "[default]\naws_access_key_id=AKIDFILE\n"
                "aws_secret_access_key=f\n");
  Result<TimedCredentials> found = Chain();
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->source, "profile:default");
  EXPECT_TRUE(server.requests().empty());
}

TEST(ContainerCredentialsTest, PlainHttpToARemoteHostIsRefused) {
  ScopedAwsEnv env;
  env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://192.0.2.10/creds");
  Result<TimedCredentials> found = Chain();
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), StatusCode::kInvalidArgument);
}

TEST(ContainerCredentialsTest, OnlyLoopbackLiteralsAndTheAgentsMayBePlainHttp) {
  for (const char* url :
       {"http://127.attacker.example/creds", "http://localhost.attacker.example/creds",
        "http://169.254.170.3/v1/credentials", "http://[fd00:ec2::24]/v1/credentials",
        "ftp://127.0.0.1/creds"}) {
    SCOPED_TRACE(url);
    ScopedAwsEnv env;
    env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", url);
    Result<TimedCredentials> found = Chain();
    ASSERT_FALSE(found.ok());
    EXPECT_EQ(found.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(ContainerCredentialsTest, TheAgentsAndLoopbackMayBePlainHttp) {
  for (const char* url :
       {"http://169.254.170.23/v1/credentials", "http://[fd00:ec2::23]/v1/credentials",
        "http://[fd00:0ec2:0:0:0:0:0:0023]:80/v1/credentials", "http://169.254.170.2/v2/creds",
        "http://127.0.0.1:8080/c", "http://127.1.2.3/c", "http://[::1]:9/c", "http://localhost/c",
        "https://credentials.example/c"}) {
    EXPECT_TRUE(AllowedContainerUrl(url)) << url;
  }
}

TEST(ContainerCredentialsTest, TokenFileIsReadAgainAtEveryFetch) {
  ScopedAwsEnv env;
  TestHttpServer server([](const RecordedRequest&) {
    return ScriptedReply{200, {}, CredentialsJson("ASIAX", system_clock::now() + minutes(1))};
  });
  env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url() + "/v1/credentials");
  env.Set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", env.WriteFile("pod-identity", "first"));
  auto http = net::NewHttpClient();
  auto provider = CredentialsProvider::FromChain({}, *http);
  ASSERT_TRUE(provider->Get().ok());
  env.WriteFile("pod-identity", "second");  // EKS Pod Identity rotates the token
  ASSERT_TRUE(provider->Get().ok());
  ASSERT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(server.requests()[0].Header("Authorization"), "first");
  EXPECT_EQ(server.requests()[1].Header("Authorization"), "second");
}

TEST(ContainerCredentialsTest, TokenWithALineBreakIsRefused) {
  ScopedAwsEnv env;
  TestHttpServer server([](const RecordedRequest&) { return ScriptedReply{500, {}, ""}; });
  env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url() + "/creds");
  env.Set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "token\r\nX-Injected: 1");
  Result<TimedCredentials> found = Chain();
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(server.requests().empty());
}

TEST(ContainerCredentialsTest, RefusedTokenIsPermissionDenied) {
  ScopedAwsEnv env;
  TestHttpServer server([](const RecordedRequest&) { return ScriptedReply{403, {}, ""}; });
  env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url() + "/creds");
  env.Set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "stale");
  Result<TimedCredentials> found = Chain();
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), StatusCode::kPermissionDenied);
}

TEST(ContainerCredentialsTest, FailingEndpointStopsTheChainWithoutSecrets) {
  ScopedAwsEnv env;
  TestHttpServer server([](const RecordedRequest&) {
    return ScriptedReply{200, {}, std::string(R"({"SecretAccessKey":")") + kSecret + "\"}"};
  });
  env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url() + "/creds");
  Result<TimedCredentials> found = Chain();
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().ToString().find(kSecret), std::string::npos);
}

// Serves the IMDSv2 flow; rejects requests without the session token.
TestHttpServer::Handler Imds(system_clock::time_point expiration) {
  return [expiration](const RecordedRequest& r) {
    if (r.method == "PUT" && r.target == "/latest/api/token") {
      if (r.Header("X-aws-ec2-metadata-token-ttl-seconds").empty()) {
        return ScriptedReply{400, {}, ""};
      }
      return ScriptedReply{200, {}, "imds-session"};
    }
    if (r.Header("X-aws-ec2-metadata-token") != "imds-session") return ScriptedReply{401, {}, ""};
    if (r.target == "/latest/meta-data/iam/security-credentials/") {
      return ScriptedReply{200, {}, "pictor-role\n"};
    }
    if (r.target == "/latest/meta-data/iam/security-credentials/pictor-role") {
      return ScriptedReply{200, {}, CredentialsJson("ASIAIMDS", expiration)};
    }
    return ScriptedReply{404, {}, ""};
  };
}

TEST(InstanceMetadataTest, FetchesATokenThenTheRoleCredentials) {
  ScopedAwsEnv env;
  TestHttpServer server(Imds(system_clock::now() + std::chrono::hours(1)));
  env.Unset("AWS_EC2_METADATA_DISABLED");
  env.Set("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url() + "/");
  Result<TimedCredentials> found = Chain();
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->credentials.access_key_id, "ASIAIMDS");
  EXPECT_EQ(found->source, "imds");
  std::vector<RecordedRequest> seen = server.requests();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].method, "PUT");
  EXPECT_EQ(seen[0].Header("X-aws-ec2-metadata-token-ttl-seconds"), "21600");
  EXPECT_EQ(seen[2].Header("X-aws-ec2-metadata-token"), "imds-session");
}

TEST(InstanceMetadataTest, DisabledByEnvironmentIsNeverCalled) {
  ScopedAwsEnv env;
  TestHttpServer server(Imds(system_clock::now() + std::chrono::hours(1)));
  env.Set("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url());
  env.Set("AWS_EC2_METADATA_DISABLED", "true");
  Result<TimedCredentials> found = Chain();
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(server.requests().empty());
}

TEST(InstanceMetadataTest, ContainerComesBeforeInstanceMetadata) {
  ScopedAwsEnv env;
  TestHttpServer imds(Imds(system_clock::now() + std::chrono::hours(1)));
  TestHttpServer container([](const RecordedRequest&) {
    return ScriptedReply{200, {}, CredentialsJson("ASIAC", system_clock::now() + minutes(60))};
  });
  env.Unset("AWS_EC2_METADATA_DISABLED");
  env.Set("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url());
  env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", container.url() + "/c");
  Result<TimedCredentials> found = Chain();
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->source, "container");
  EXPECT_TRUE(imds.requests().empty());
}

TEST(CredentialsProviderTest, CachesLongTermCredentials) {
  int fetches = 0;
  CredentialsProvider provider([&]() -> Result<TimedCredentials> {
    ++fetches;
    return TimedCredentials{{"AKID", "s", ""}, std::nullopt, "test"};
  });
  ASSERT_TRUE(provider.Get().ok());
  ASSERT_TRUE(provider.Get().ok());
  EXPECT_EQ(fetches, 1);
}

TEST(CredentialsProviderTest, RefetchesCredentialsThatExpireWithinTheMargin) {
  ScopedAwsEnv env;
  std::atomic<int> calls{0};
  TestHttpServer server([&](const RecordedRequest&) {
    int n = ++calls;
    return ScriptedReply{
        200, {}, CredentialsJson("ASIA" + std::to_string(n), system_clock::now() + minutes(1))};
  });
  env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url() + "/c");
  auto http = net::NewHttpClient();
  auto provider = CredentialsProvider::FromChain({}, *http);
  Result<Credentials> first = provider->Get();
  Result<Credentials> second = provider->Get();
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->access_key_id, "ASIA1");
  EXPECT_EQ(second->access_key_id, "ASIA2");
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST(CredentialsProviderTest, KeepsValidCredentialsWhenARefreshFails) {
  system_clock::time_point now = system_clock::now();
  const system_clock::time_point expiry = now + minutes(10);
  int fetches = 0;
  CredentialsProvider provider(
      [&]() -> Result<TimedCredentials> {
        if (++fetches > 1) return Status::Unavailable("endpoint down");
        return TimedCredentials{{"ASIAOLD", "s", "t"}, expiry, "test"};
      },
      minutes(5), [&] { return now; });
  ASSERT_TRUE(provider.Get().ok());
  now = expiry - minutes(2);  // inside the refresh margin, not yet expired
  Result<Credentials> kept = provider.Get();
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->access_key_id, "ASIAOLD");
  EXPECT_EQ(fetches, 2);
  now = expiry + minutes(1);  // expired: the failure now shows
  Result<Credentials> failed = provider.Get();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable);
}

TEST(CredentialsProviderTest, DoesNotRefetchBeforeTheMargin) {
  system_clock::time_point now = system_clock::now();
  int fetches = 0;
  CredentialsProvider provider(
      [&]() -> Result<TimedCredentials> {
        ++fetches;
        return TimedCredentials{{"ASIA", "s", "t"}, now + minutes(60), "test"};
      },
      minutes(5), [&] { return now; });
  ASSERT_TRUE(provider.Get().ok());
  now += minutes(30);
  ASSERT_TRUE(provider.Get().ok());
  EXPECT_EQ(fetches, 1);
}

TEST(CredentialsSecrecyTest, DescriptionMasksTheKeyIdAndOmitsSecrets) {
  TimedCredentials creds{{"AKIAIOSFODNN7EXAMPLE", kSecret, "session-token"}, std::nullopt, "env"};
  std::string text = DescribeCredentials(creds);
  EXPECT_EQ(text, "AKIA****MPLE (env)");
  EXPECT_EQ(text.find(kSecret), std::string::npos);
  EXPECT_EQ(text.find("session-token"), std::string::npos);
}

TEST(CredentialsSecrecyTest, ProfileErrorsNeverQuoteTheSecret) {
  ScopedAwsEnv env;
  env.WriteFile(".aws/credentials", std::string("[default]\naws_secret_access_key = ") + kSecret);
  Result<TimedCredentials> found = Chain();
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(found.status().ToString().find(kSecret), std::string::npos);
}

TEST(Iso8601Test, ParsesUtcTimestamps) {
  auto t = ParseIso8601("2024-05-01T12:30:15Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(system_clock::to_time_t(*t), 1714566615);
  EXPECT_TRUE(ParseIso8601("2024-05-01T12:30:15.123+00:00"));
  EXPECT_FALSE(ParseIso8601("yesterday"));
}

// Found by the sts_answer and credential_process fuzz targets: a year past 2262 overflowed the
// nanosecond time_point.
TEST(Iso8601Test, RefusesYearsAndFieldsOutOfRange) {
  EXPECT_TRUE(ParseIso8601("2200-12-31T23:59:60Z"));
  for (const char* bad : {"4038-11-09T13:34:41.000Z", "9999-01-01T00:00:00Z",
                          "1969-12-31T23:59:59Z", "-999-01-01T00:00:00Z", "2024-13-01T00:00:00Z",
                          "2024-00-10T00:00:00Z", "2024-05-32T00:00:00Z", "2024-05-01T24:00:00Z",
                          "2024-05-01T12:60:00Z", "2024-05-01T12:00:61Z"}) {
    EXPECT_FALSE(ParseIso8601(bad)) << bad;
  }
}

}  // namespace
}  // namespace pictor::aws
