// AwsClient: one AWS service endpoint, reached with signed, retried HTTP calls. The S3, SQS and
// Bedrock adapters build their operations on Send() and read only successful replies.
//
// Thread-safe when the borrowed net::HttpClient and CredentialsProvider are (the library's are):
// Send and PresignGet may be called from any number of threads. The client borrows both and they
// must outlive it.
//
// Errors: a non-2xx reply (after retries) becomes a Status through error.h's ToStatus, with the
// service's code, message and request id; transport failures are those of net::HttpClient; missing
// credentials are the chain's Status. Nothing returned carries a secret.
#ifndef PICTOR_AWS_AWS_CLIENT_H_
#define PICTOR_AWS_AWS_CLIENT_H_

#include <chrono>
#include <string>
#include <string_view>

#include "aws/credentials.h"
#include "aws/retry_mode.h"
#include "aws/sigv4.h"
#include "net/http_client.h"
#include "net/retry.h"
#include "pictor/status.h"

namespace pictor::aws {

struct AwsClientOptions {
  std::string service;       // the signing name: "s3", "sqs", "bedrock"
  std::string region;        // "us-east-1"
  std::string endpoint;      // "https://host[:port][/base-path]", e.g. from ResolveEndpoint()
  bool s3_mode = false;      // S3's signing rules (see sigv4.h)
  net::RetryPolicy retry{};  // without a classification, aws/retry_mode.h's ClassifyAttempt
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds total_timeout{30000};
};

struct AwsRequest {
  std::string method = "GET";
  // Appended to the endpoint's base path; as it goes on the wire (S3: UriEncode(key, true)).
  std::string path = "/";
  QueryList query{};     // decoded; encoded here for the wire and the signature alike
  HeaderList headers{};  // without Host, X-Amz-Date, Authorization (added here)
  std::string body{};
  bool unsigned_payload = false;     // sign "UNSIGNED-PAYLOAD" instead of the body's hash
  bool sign_content_sha256 = false;  // add x-amz-content-sha256 (always on in s3_mode)
};

class AwsClient {
 public:
  AwsClient(AwsClientOptions options, net::HttpClient& http, CredentialsProvider& credentials);

  AwsClient(const AwsClient&) = delete;
  AwsClient& operator=(const AwsClient&) = delete;

  // Signs (SigV4, header mode) and sends `request`, re-signing with a fresh date on every
  // attempt and retrying per options.retry. Returns the 2xx reply, or the error as a Status.
  Result<net::HttpReply> Send(const AwsRequest& request);

  // A presigned GET URL for `path` valid for `expires` (1 s .. 7 days): the S3 way to hand out
  // an object without proxying it. The URL carries the session token, if any, as S3 requires.
  Result<std::string> PresignGet(std::string_view path, const QueryList& query,
                                 std::chrono::seconds expires);

  const AwsClientOptions& options() const { return options_; }

 private:
  Result<net::HttpCall> SignedCall(const AwsRequest& request, const Credentials& credentials) const;
  SigningParams Params() const;

  const AwsClientOptions options_;
  std::string scheme_;     // "https"
  std::string authority_;  // "host[:port]", the Host header
  std::string base_path_;  // "" or "/base" (no trailing '/')
  net::HttpClient& http_;
  CredentialsProvider& credentials_;
};

}  // namespace pictor::aws

#endif  // PICTOR_AWS_AWS_CLIENT_H_
