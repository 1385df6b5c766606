// STS, the AWS Security Token Service, as the credentials chain calls it: AssumeRole, signed with
// the source credentials, and AssumeRoleWithWebIdentity, unsigned (the token is the proof). Both
// are query-protocol calls: a form-encoded POST to "/" answered with XML.
//
// Free functions; thread-safe when the borrowed net::HttpClient is. Each call is retried as the
// SDKs' standard mode does (aws/retry_mode.h: throttling, 5xx and transient codes such as
// IDPCommunicationError) within the options' timeouts.
//
// Errors (StsStatus):
//  Unavailable       throttling (429, Throttling...), 5xx and transient codes; retryable
//  DeadlineExceeded  RequestTimeout, 408, or the call's own timeout; retryable
//  PermissionDenied  401, 403, AccessDenied, InvalidIdentityToken, ExpiredTokenException,
//                    IDPRejectedClaim, InvalidClientTokenId, SignatureDoesNotMatch,
//                    RegionDisabledException: the identity is refused
//  InvalidArgument   any other answer (ValidationError, MalformedPolicyDocument...)
//  Internal          a 2xx answer without readable credentials
// Every Status carries the peer's HTTP status and code. No message ever holds the web identity
// token, a secret key or a session token: the service's message is quoted only after every one
// of them is cut out of it.
#ifndef PICTOR_AWS_STS_H_
#define PICTOR_AWS_STS_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/credentials.h"
#include "net/http_client.h"
#include "net/retry.h"
#include "pictor/status.h"

namespace pictor::aws {

struct StsEndpoint {
  std::string url;     // "https://sts.eu-west-1.amazonaws.com", no trailing '/'
  std::string region;  // the signing region
};

// The endpoint for a profile: AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL (endpoint.h), else the
// regional https://sts.<region>.amazonaws.com for ResolveRegion(profile). Without any region, the
// global https://sts.amazonaws.com, signed for us-east-1, as the SDKs do.
StsEndpoint ResolveStsEndpoint(std::string_view profile = {});

struct AssumeRoleParams {
  std::string role_arn;
  std::string session_name;
  std::string external_id{};              // AssumeRole only; "" = not sent
  std::optional<int> duration_seconds{};  // 900 .. 43200; not sent when absent
};

struct StsCallOptions {
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds total_timeout{10000};  // per attempt
  net::RetryPolicy retry{};                        // classified by aws/retry_mode.h
};

// AssumeRole signed (SigV4, service "sts") with `source`. `source_name` names the result's
// TimedCredentials::source.
Result<TimedCredentials> AssumeRole(net::HttpClient& http, const StsEndpoint& endpoint,
                                    const Credentials& source, const AssumeRoleParams& params,
                                    const StsCallOptions& options, std::string source_name);

// AssumeRoleWithWebIdentity with `token` (an OIDC JWT: IRSA's projected token, GitHub's).
Result<TimedCredentials> AssumeRoleWithWebIdentity(
    net::HttpClient& http, const StsEndpoint& endpoint, std::string_view token,
    const AssumeRoleParams& params, const StsCallOptions& options, std::string source_name);

// Reads a 2xx answer of either action: <Credentials> with AccessKeyId, SecretAccessKey,
// SessionToken and Expiration, all required. A malformed answer is Internal; its message never
// quotes the answer.
Result<TimedCredentials> ReadStsCredentials(std::string_view xml, std::string source_name);

// The translation of a non-2xx STS answer (see the table above). `what` starts the message
// ("STS AssumeRole for arn:..."); every string of `secrets` is cut out of the service's message.
Status StsStatus(const net::HttpReply& reply, std::string_view what,
                 const std::vector<std::string_view>& secrets);

}  // namespace pictor::aws

#endif  // PICTOR_AWS_STS_H_
