// AwsClient: endpoint parsing, signing per attempt, retries, error translation.
#include "aws/aws_client.h"

#include "aws/error.h"
#include "aws/retry_mode.h"
#include "core/digest.h"
#include "core/percent_encoding.h"

namespace pictor::aws {
namespace {

std::string WireQuery(const QueryList& query) {
  std::string out;
  for (const auto& [key, value] : query) {
    if (!out.empty()) out += '&';
    out += PercentEncode(key) + "=" + PercentEncode(value);
  }
  return out;
}

// base + path, with exactly one '/' between them. (Built by appending: g++ 12 at -O3 warns
// falsely about "/" + std::string, GCC bug 105329.)
std::string JoinPath(const std::string& base, std::string_view path) {
  std::string out = base;
  if (!path.starts_with('/')) out += '/';
  out.append(path);
  return out;
}

// The policy the caller gave, classifying AWS replies unless the caller chose otherwise.
AwsClientOptions WithRetryClassification(AwsClientOptions options) {
  options.retry = WithAwsClassification(std::move(options.retry));
  return options;
}

}  // namespace

AwsClient::AwsClient(AwsClientOptions options, net::HttpClient& http,
                     CredentialsProvider& credentials)
    : options_(WithRetryClassification(std::move(options))),
      http_(http),
      credentials_(credentials) {
  std::string_view url = options_.endpoint;
  size_t scheme_end = url.find("://");
  scheme_ = scheme_end == std::string_view::npos ? "https" : std::string(url.substr(0, scheme_end));
  std::string_view rest = scheme_end == std::string_view::npos ? url : url.substr(scheme_end + 3);
  size_t slash = rest.find('/');
  authority_ = std::string(rest.substr(0, slash));
  if (slash != std::string_view::npos) base_path_ = std::string(rest.substr(slash));
  while (!base_path_.empty() && base_path_.back() == '/') base_path_.pop_back();
}

SigningParams AwsClient::Params() const {
  SigningParams params;
  params.service = options_.service;
  params.region = options_.region;
  params.time = std::chrono::system_clock::now();
  params.s3_mode = options_.s3_mode;
  return params;
}

Result<net::HttpCall> AwsClient::SignedCall(const AwsRequest& request,
                                            const Credentials& credentials) const {
  SigningRequest to_sign;
  to_sign.method = request.method;
  to_sign.path = JoinPath(base_path_, request.path);
  to_sign.query = request.query;
  to_sign.headers = request.headers;
  to_sign.headers.emplace_back("Host", authority_);
  to_sign.payload_sha256 =
      request.unsigned_payload ? std::string(kUnsignedPayload) : Sha256Hex(request.body);
  SigningParams params = Params();
  params.sign_content_sha256 = request.sign_content_sha256;
  Result<SignedParts> signed_parts = SignHeaders(to_sign, credentials, params);
  if (!signed_parts.ok()) return signed_parts.status();

  net::HttpCall call;
  call.method = request.method;
  call.url = scheme_ + "://" + authority_ + to_sign.path;
  if (!request.query.empty()) {
    call.url += '?';
    call.url += WireQuery(request.query);
  }
  call.headers = std::move(to_sign.headers);
  for (auto& header : signed_parts->added_headers) call.headers.push_back(std::move(header));
  call.body = request.body;
  call.connect_timeout = options_.connect_timeout;
  call.total_timeout = options_.total_timeout;
  return call;
}

Result<net::HttpReply> AwsClient::Send(const AwsRequest& request) {
  Result<Credentials> credentials = credentials_.Get();
  if (!credentials.ok()) return credentials.status();
  // Signing is a pure function of its inputs but the date: if it fails once it always would.
  Result<net::HttpCall> first = SignedCall(request, *credentials);
  if (!first.ok()) return first.status();

  int attempt = 0;
  Result<net::HttpReply> reply = net::PerformWithRetries(
      http_,
      [&]() -> net::HttpCall {
        if (attempt++ == 0) return *first;
        // A retry: fresh credentials (they may have been refreshed) and a fresh date.
        Result<Credentials> now = credentials_.Get();
        Result<net::HttpCall> resigned = SignedCall(request, now.ok() ? *now : *credentials);
        return resigned.ok() ? std::move(resigned).value() : *first;
      },
      options_.retry);
  if (!reply.ok()) return reply.status().WithContext(options_.service);
  if (reply->status < 200 || reply->status >= 300) {
    return ReplyToStatus(*reply).WithContext(options_.service);
  }
  return reply;
}

Result<std::string> AwsClient::PresignGet(std::string_view path, const QueryList& query,
                                          std::chrono::seconds expires) {
  Result<Credentials> credentials = credentials_.Get();
  if (!credentials.ok()) return credentials.status();
  SigningRequest to_sign;
  to_sign.method = "GET";
  to_sign.path = JoinPath(base_path_, path);
  to_sign.query = query;
  to_sign.headers.emplace_back("Host", authority_);
  to_sign.payload_sha256 = std::string(kUnsignedPayload);
  return PresignUrl(to_sign, *credentials, Params(), expires, scheme_);
}

}  // namespace pictor::aws
