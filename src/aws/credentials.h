// Where AWS credentials come from: the SDKs' default chain, and a provider that caches them and
// refreshes temporary ones before they expire.
//
// Chain order (the Java and Rust SDKs'; docs/DEPLOY.md lists it for operators):
//  1. explicit credentials (settings);
//  2. AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN;
//  3. web identity from the environment: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN
//     (+ AWS_ROLE_SESSION_NAME), exchanged through STS AssumeRoleWithWebIdentity (IRSA, GitHub
//     OIDC); the token file is read again at every refresh, since IRSA rotates it;
//  4. the profile in the shared files (shared_config.h), first match wins, as in botocore:
//     role_arn + source_profile or credential_source (STS AssumeRole signed with the source's
//     credentials; source profiles chain, a cycle is an error), role_arn +
//     web_identity_token_file, static keys, credential_process (credential_process.h);
//  5. container credentials (ECS: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI; EKS Pod Identity and
//     others: AWS_CONTAINER_CREDENTIALS_FULL_URI with AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, read
//     again at every fetch, or AWS_CONTAINER_AUTHORIZATION_TOKEN);
//  6. EC2 instance metadata (IMDSv2).
// A source that is not configured passes to the next; a source that is configured but broken
// (half the keys, an unsupported profile, an endpoint that fails, a token file that cannot be
// read, a process that exits non-zero) stops the chain with its error, so a misconfiguration is
// never papered over by another identity.
//
// Errors: no source configured -> PermissionDenied; a credential endpoint, STS or a
// credential_process down, throttled or failing -> Unavailable or DeadlineExceeded (retryable);
// STS refusing the identity -> PermissionDenied (sts.h has the whole table); bad settings ->
// InvalidArgument / Unsupported (mfa_serial, SSO). No message, log line or DescribeCredentials()
// output ever holds a secret key, session token or web identity token.
#ifndef PICTOR_AWS_CREDENTIALS_H_
#define PICTOR_AWS_CREDENTIALS_H_

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "aws/sigv4.h"
#include "net/http_client.h"
#include "pictor/status.h"

namespace pictor::aws {

struct TimedCredentials {
  Credentials credentials;
  // Set for temporary credentials; nullopt for long-term keys, which never refresh.
  std::optional<std::chrono::system_clock::time_point> expiration;
  // "explicit", "environment", "web-identity", "profile:<name>" (static keys),
  // "profile:<name>/assume-role", "profile:<name>/web-identity", "profile:<name>/process",
  // "container", "imds"
  std::string source;
};

struct CredentialsChainOptions {
  std::optional<Credentials> explicit_credentials{};  // from settings; wins when set
  std::string profile{};                              // "" = AWS_PROFILE or "default"
  std::chrono::milliseconds container_timeout{2000};
  std::chrono::milliseconds imds_timeout{1000};      // connect and total, one attempt per request
  std::chrono::milliseconds sts_timeout{10000};      // per attempt (connect: at most 3 s)
  std::chrono::milliseconds process_timeout{60000};  // a credential_process run
};

// The sources, each callable alone. A source not configured returns NotFound.
Result<TimedCredentials> CredentialsFromEnvironment();
// AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN; the token file without the role is InvalidArgument.
// The STS endpoint and region are those of ActiveProfile(options.profile) (sts.h).
Result<TimedCredentials> CredentialsFromWebIdentity(net::HttpClient& http,
                                                    const CredentialsChainOptions& options);
// The profile's credentials, whatever kind the profile holds (see the chain above). A profile
// missing from the files is NotFound for "default", InvalidArgument for any other name.
Result<TimedCredentials> CredentialsFromProfile(std::string_view profile, net::HttpClient& http,
                                                const CredentialsChainOptions& options);
Result<TimedCredentials> CredentialsFromContainer(net::HttpClient& http,
                                                  std::chrono::milliseconds timeout);
// Whether AWS_CONTAINER_CREDENTIALS_FULL_URI may be used, as the SDKs decide: any https URL; a
// plain-http one only towards a loopback literal (127.0.0.0/8, ::1) or localhost, ECS's agent
// 169.254.170.2, or EKS Pod Identity's agent 169.254.170.23 / [fd00:ec2::23].
bool AllowedContainerUrl(std::string_view url);
// Skipped (NotFound) when AWS_EC2_METADATA_DISABLED is "true". The endpoint is
// AWS_EC2_METADATA_SERVICE_ENDPOINT or http://169.254.169.254. An unreachable service is
// NotFound (not on EC2).
Result<TimedCredentials> CredentialsFromInstanceMetadata(net::HttpClient& http,
                                                         std::chrono::milliseconds timeout);

// Walks the chain once.
Result<TimedCredentials> ResolveCredentialsChain(const CredentialsChainOptions& options,
                                                 net::HttpClient& http);

// "AKIA****MPLE (environment)": the key id masked but for its ends, and the source. Safe to log.
std::string DescribeCredentials(const TimedCredentials& credentials);

// Caches credentials from a fetch function and refreshes them `refresh_margin` before they
// expire. Thread-safe: Get() may be called from any thread; one mutex guards the cache and is
// held during a refresh, so concurrent callers wait for that one refresh instead of each
// fetching. When a refresh fails but the cached credentials have not yet expired, they are
// returned and the next Get() tries again.
class CredentialsProvider {
 public:
  using Fetch = std::function<Result<TimedCredentials>()>;
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  explicit CredentialsProvider(
      Fetch fetch, std::chrono::seconds refresh_margin = std::chrono::minutes(5),
      Clock clock = [] { return std::chrono::system_clock::now(); });

  // The default chain. `http` is borrowed and must outlive the provider.
  static std::unique_ptr<CredentialsProvider> FromChain(CredentialsChainOptions options,
                                                        net::HttpClient& http);

  CredentialsProvider(const CredentialsProvider&) = delete;
  CredentialsProvider& operator=(const CredentialsProvider&) = delete;

  Result<Credentials> Get();

 private:
  const Fetch fetch_;
  const std::chrono::seconds refresh_margin_;
  const Clock clock_;
  std::mutex cache_mutex_;  // guards cached_
  std::optional<TimedCredentials> cached_;
};

// "2024-05-01T12:00:00Z" (fractional seconds and a "+00:00" suffix tolerated) as UTC; nullopt
// for anything else, for a field out of range and for a year outside 1970-2200.
std::optional<std::chrono::system_clock::time_point> ParseIso8601(std::string_view text);

}  // namespace pictor::aws

#endif  // PICTOR_AWS_CREDENTIALS_H_
