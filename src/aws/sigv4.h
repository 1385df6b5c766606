// AWS Signature Version 4: signs a request with an Authorization header, or presigns it as a URL
// whose query string carries the signature.
//
// Pure functions of their arguments: thread-safe, no shared state, no I/O. Errors (a request
// without a Host header, an expiry outside 1 s .. 7 days, missing keys) come back as an
// InvalidArgument Status. Nothing returned here contains the secret access key; the session
// token, which the request must carry anyway, does appear where AWS requires it.
//
// Two flavours, chosen by SigningParams::s3_mode:
//  - default (every service but S3): the path is normalised (unless normalize_path is false) and
//    percent-encoded as given, so a path already encoded on the wire is encoded a second time.
//  - S3: the path is used exactly as sent (encoded once, by the caller), never normalised, and
//    header signing adds a signed x-amz-content-sha256 header.
#ifndef PICTOR_AWS_SIGV4_H_
#define PICTOR_AWS_SIGV4_H_

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pictor/status.h"

namespace pictor::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;
using QueryList = std::vector<std::pair<std::string, std::string>>;

// The value the payload hash takes when S3 is told not to check the body.
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

struct SigningRequest {
  std::string method;  // "GET", "PUT", ...
  // The path as it goes on the wire, starting with '/'. For S3 build it with
  // UriEncode(key, /*keep_slash=*/true); other services accept it raw or encoded (see above).
  std::string path = "/";
  // Query parameters, decoded (the signer encodes them). Order does not matter.
  QueryList query;
  // Headers as sent, Host included; every one is signed except user-agent, expect,
  // x-amzn-trace-id and authorization. Repeated names are allowed. Must not already contain
  // X-Amz-Date, X-Amz-Security-Token, x-amz-content-sha256 or Authorization.
  HeaderList headers;
  // Lower-case hex SHA-256 of the body, or kUnsignedPayload. Empty means an empty body.
  std::string payload_sha256;
};

struct SigningParams {
  std::string service;  // "sqs", "s3", "bedrock", ...
  std::string region;   // "us-east-1"
  std::chrono::system_clock::time_point time;
  bool s3_mode = false;        // single encoding, no normalisation, x-amz-content-sha256 header
  bool normalize_path = true;  // ignored in s3_mode (S3 never normalises)
  bool sign_content_sha256 = false;  // header mode: add x-amz-content-sha256 (always on in S3)
  // Leave the session token out of what is signed and add it afterwards (some STS-style
  // endpoints want this). Default: the token is signed.
  bool omit_session_token = false;
};

// What signing produced. The three intermediate strings are exposed for diagnostics and tests.
struct SignedParts {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;  // 64 lower-case hex characters
  // Header mode: the Authorization value, and every header to append to the request
  // (X-Amz-Date, X-Amz-Security-Token if any, x-amz-content-sha256 if signed, Authorization).
  std::string authorization;
  HeaderList added_headers;
  // Query mode: the complete encoded query string to send (the request's own parameters, the
  // X-Amz-* parameters and X-Amz-Signature), without the leading '?'.
  std::string query_string;
};

// Signs `request` for sending with an Authorization header.
Result<SignedParts> SignHeaders(const SigningRequest& request, const Credentials& credentials,
                                const SigningParams& params);

// Signs `request` in the query string, valid for `expires` (1 s to 7 days). Only the request's
// own headers are signed; the payload hash is request.payload_sha256 (S3 presigned URLs use
// kUnsignedPayload).
Result<SignedParts> PresignQuery(const SigningRequest& request, const Credentials& credentials,
                                 const SigningParams& params, std::chrono::seconds expires);

// PresignQuery as a ready URL: "<scheme>://<host><path>?<query>", host from the Host header.
Result<std::string> PresignUrl(const SigningRequest& request, const Credentials& credentials,
                               const SigningParams& params, std::chrono::seconds expires,
                               std::string_view scheme = "https");

// The signing key for one day, region and service: the HMAC chain over "AWS4" + secret. Public
// for known-answer tests and for a caller that wants to cache keys per day; it is secret
// material, never to be logged.
std::string DeriveSigningKey(std::string_view secret_access_key, std::string_view date,
                             std::string_view region, std::string_view service);

// "20150830T123600Z" for the given time (UTC).
std::string AmzDate(std::chrono::system_clock::time_point time);

}  // namespace pictor::aws

#endif  // PICTOR_AWS_SIGV4_H_
