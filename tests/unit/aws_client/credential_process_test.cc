// credential_process: how the command line is split, how the program runs (exit status, stderr,
// timeout) and how its JSON is read; its place in a profile and its refresh.
#include "aws/credential_process.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "scoped_env.h"

namespace pictor::aws {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using testing::ScopedAwsEnv;

constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYPROCESSKEY";

// Writes an executable shell script under HOME and returns its path.
std::string Script(ScopedAwsEnv& env, const std::string& relative, const std::string& body) {
  std::string path = env.WriteFile(relative, "#!/bin/sh\n" + body);
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  return path;
}

std::string Answer(const std::string& key_id, const std::string& expiration = "") {
  std::string json = R"({"Version": 1, "AccessKeyId": ")" + key_id + R"(", "SecretAccessKey": ")" +
                     kSecret + R"(", "SessionToken": "process-session")";
  if (!expiration.empty()) json += R"(, "Expiration": ")" + expiration + "\"";
  return json + "}";
}

std::vector<std::string> Split(std::string_view command) {
  Result<std::vector<std::string>> words = SplitCommandLine(command);
  EXPECT_TRUE(words.ok()) << words.status().ToString();
  return words.ok() ? *words : std::vector<std::string>{};
}

TEST(SplitCommandLineTest, SplitsOnBlanksAndHonoursQuotes) {
  using V = std::vector<std::string>;
  EXPECT_EQ(Split("aws configure export-credentials  --profile\tdev"),
            (V{"aws", "configure", "export-credentials", "--profile", "dev"}));
  EXPECT_EQ(Split(R"('/opt/my tools/creds' "a b" c\ d)"), (V{"/opt/my tools/creds", "a b", "c d"}));
  EXPECT_EQ(Split(R"("say \"hi\" \$HOME \n" 'it''s')"), (V{R"(say "hi" $HOME \n)", "its"}));
  EXPECT_EQ(Split(R"(a""b '' "")"), (V{"ab", "", ""}));
}

TEST(SplitCommandLineTest, ShellSyntaxIsPlainText) {
  using V = std::vector<std::string>;
  EXPECT_EQ(Split("helper $HOME ~/x *.json; rm -rf / | cat > out"),
            (V{"helper", "$HOME", "~/x", "*.json;", "rm", "-rf", "/", "|", "cat", ">", "out"}));
}

TEST(SplitCommandLineTest, RefusesUnterminatedQuotesAndEmptyCommands) {
  for (const char* bad : {"helper 'open", "helper \"open", "helper \\", "", "   \t"}) {
    SCOPED_TRACE(bad);
    Result<std::vector<std::string>> words = SplitCommandLine(bad);
    ASSERT_FALSE(words.ok());
    EXPECT_EQ(words.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(CredentialProcessTest, RunsTheProgramAndReadsItsAnswer) {
  ScopedAwsEnv env;
  std::string path = Script(env, "my tools/creds.sh",
                            "[ \"$1\" = 'two words' ] || exit 9\necho '" +
                                Answer("ASIAPROCESS", "2030-01-02T03:04:05Z") + "'\n");
  Result<TimedCredentials> found =
      CredentialsFromProcess("'" + path + "' 'two words'", {}, "profile:p/process");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->credentials.access_key_id, "ASIAPROCESS");
  EXPECT_EQ(found->credentials.secret_access_key, kSecret);
  EXPECT_EQ(found->credentials.session_token, "process-session");
  ASSERT_TRUE(found->expiration);
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*found->expiration), 1893553445);
}

TEST(CredentialProcessTest, NonZeroExitIsUnavailableAndStderrPassesThrough) {
  ScopedAwsEnv env;
  std::string path =
      Script(env, "fail.sh", "echo 'helper: the SSO session has expired' >&2\nexit 3\n");
  ::testing::internal::CaptureStderr();
  Result<TimedCredentials> found = CredentialsFromProcess(path + " --secret-flag hunter2", {}, "p");
  std::string stderr_text = ::testing::internal::GetCapturedStderr();
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(found.status().message().find("status 3"), std::string::npos);
  EXPECT_NE(stderr_text.find("the SSO session has expired"), std::string::npos);
  EXPECT_EQ(found.status().message().find("hunter2"), std::string::npos);  // arguments not quoted
}

TEST(CredentialProcessTest, ARunawayProgramIsKilledAtTheTimeout) {
  ScopedAwsEnv env;
  std::string path = Script(env, "slow.sh", "sleep 30 &\nsleep 30\n");
  auto start = steady_clock::now();
  Result<TimedCredentials> found =
      CredentialsFromProcess(path, {.timeout = milliseconds(300)}, "p");
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(CredentialProcessTest, MissingProgramIsInvalidArgument) {
  ScopedAwsEnv env;
  Result<TimedCredentials> found =
      CredentialsFromProcess((env.home() / "no-such-helper").string(), {}, "p");
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), StatusCode::kInvalidArgument);
}

TEST(CredentialProcessTest, OutputOverTheLimitIsRefused) {
  ScopedAwsEnv env;
  std::string path = Script(env, "big.sh", "head -c 200000 /dev/zero | tr '\\0' x\n");
  Result<TimedCredentials> found = CredentialsFromProcess(path, {}, "p");
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), StatusCode::kInternal);
}

TEST(ProcessCredentialsJsonTest, VersionOtherThanOneIsUnsupported) {
  Result<TimedCredentials> found =
      ReadProcessCredentials(R"({"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "B"})", "p");
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), StatusCode::kUnsupported);
}

TEST(ProcessCredentialsJsonTest, MalformedAnswersAreInternalAndNeverQuoted) {
  const std::string secret_json = std::string(R"({"Version": 1, "SecretAccessKey": ")") + kSecret;
  for (const std::string& bad :
       {secret_json, secret_json + "\"}", std::string(R"({"AccessKeyId": "A"})"),
        std::string(R"({"Version": 1, "AccessKeyId": 5, "SecretAccessKey": "x"})"),
        std::string(R"({"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "B",)"
                    R"( "Expiration": "soon"})"),
        std::string("[]")}) {
    SCOPED_TRACE(bad);
    Result<TimedCredentials> found = ReadProcessCredentials(bad, "p");
    ASSERT_FALSE(found.ok());
    EXPECT_EQ(found.status().code(), StatusCode::kInternal);
    EXPECT_EQ(found.status().ToString().find(kSecret), std::string::npos);
  }
}

TEST(ProcessCredentialsJsonTest, WithoutExpirationTheKeysAreLongTerm) {
  Result<TimedCredentials> found = ReadProcessCredentials(
      R"({"Version": 1, "AccessKeyId": "AKID", "SecretAccessKey": "S"})", "p");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->expiration);
  EXPECT_TRUE(found->credentials.session_token.empty());
}

TEST(CredentialProcessProfileTest, ProfileRunsItsProcess) {
  ScopedAwsEnv env;
  std::string path = Script(env, "creds.sh", "echo '" + Answer("ASIAFROMPROFILE") + "'\n");
  env.WriteFile(".aws/config", "[profile p]\ncredential_process = " + path + "\n");
  auto http = net::NewHttpClient();
  Result<TimedCredentials> found = ResolveCredentialsChain({.profile = "p"}, *http);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->credentials.access_key_id, "ASIAFROMPROFILE");
  EXPECT_EQ(found->source, "profile:p/process");
}

TEST(CredentialProcessProfileTest, StaticKeysWinOverTheProcess) {
  ScopedAwsEnv env;
  env.WriteFile(".aws/config",
                "[profile p]\naws_access_key_id = AKIDSTATIC\naws_secret_access_key = s\n"
                "credential_process = /nonexistent/helper\n");
  auto http = net::NewHttpClient();
  Result<TimedCredentials> found = ResolveCredentialsChain({.profile = "p"}, *http);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->credentials.access_key_id, "AKIDSTATIC");
}

TEST(CredentialProcessProfileTest, ShortLivedAnswersAreRefreshedByRunningItAgain) {
  ScopedAwsEnv env;
  // Each run counts itself in a file and answers with a key naming the count, expiring in a
  // minute: inside the provider's five-minute margin, so every Get() runs it again.
  std::string counter = (env.home() / "runs").string();
  auto soon = std::chrono::system_clock::now() + std::chrono::minutes(1);
  std::time_t t = std::chrono::system_clock::to_time_t(soon);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char expiration[32];
  std::strftime(expiration, sizeof expiration, "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::string path =
      Script(env, "counting.sh",
             "echo x >> '" + counter + "'\nn=$(wc -l < '" + counter + "' | tr -d ' ')\n" +
                 R"(printf '{"Version":1,"AccessKeyId":"ASIARUN%s","SecretAccessKey":"s",)" +
                 R"("SessionToken":"t","Expiration":")" + expiration + R"("}' "$n")" + "\n");
  env.WriteFile(".aws/config", "[default]\ncredential_process = " + path + "\n");
  auto http = net::NewHttpClient();
  auto provider = CredentialsProvider::FromChain({}, *http);
  Result<Credentials> first = provider->Get();
  Result<Credentials> second = provider->Get();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(first->access_key_id, "ASIARUN1");
  EXPECT_EQ(second->access_key_id, "ASIARUN2");
}

// The AWS CLI v2 (Debian's awscli) as the process: what `aws configure export-credentials
// --format process` prints is read as the CLI meant it, from the same files.
TEST(CredentialProcessProfileTest, AwsCliExportCredentialsIsAProcess) {
  ScopedAwsEnv env;
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/aws"))
      << "needs the AWS CLI v2 at /usr/bin/aws (Debian package awscli)";
  env.WriteFile(".aws/credentials",
                std::string("[base]\naws_access_key_id = AKIDFROMCLI\naws_secret_access_key = ") +
                    kSecret + "\n");
  env.WriteFile(".aws/config",
                "[profile viacli]\ncredential_process = /usr/bin/aws configure export-credentials "
                "--profile base --format process\n");
  auto http = net::NewHttpClient();
  Result<TimedCredentials> found = ResolveCredentialsChain({.profile = "viacli"}, *http);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->credentials.access_key_id, "AKIDFROMCLI");
  EXPECT_EQ(found->credentials.secret_access_key, kSecret);
  EXPECT_EQ(found->source, "profile:viacli/process");
}

}  // namespace
}  // namespace pictor::aws
