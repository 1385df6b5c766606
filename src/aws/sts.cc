// STS AssumeRole and AssumeRoleWithWebIdentity over the query protocol.
#include "aws/sts.h"

#include <algorithm>
#include <array>

#include "aws/endpoint.h"
#include "aws/error.h"
#include "aws/retry_mode.h"
#include "aws/sigv4.h"
#include "aws/xml_text.h"
#include "core/digest.h"
#include "core/percent_encoding.h"

namespace pictor::aws {
namespace {

constexpr char kApiVersion[] = "2011-06-15";

constexpr std::array<std::string_view, 9> kRefusedIdentityCodes = {
    "AccessDenied",          "InvalidIdentityToken", "ExpiredTokenException",
    "ExpiredToken",          "IDPRejectedClaim",     "InvalidClientTokenId",
    "SignatureDoesNotMatch", "IncompleteSignature",  "RegionDisabledException",
};

std::string FormBody(const QueryList& fields) {
  std::string out;
  for (const auto& [key, value] : fields) {
    if (!out.empty()) out += '&';
    out += PercentEncode(key) + "=" + PercentEncode(value);
  }
  return out;
}

// "host[:port]" of "scheme://host[:port][/path]".
std::string Authority(std::string_view url) {
  size_t scheme_end = url.find("://");
  std::string_view rest = scheme_end == std::string_view::npos ? url : url.substr(scheme_end + 3);
  return std::string(rest.substr(0, rest.find('/')));
}

// Cuts every secret out of `text`.
std::string Scrubbed(std::string text, const std::vector<std::string_view>& secrets) {
  for (std::string_view secret : secrets) {
    if (secret.size() < 4) continue;  // too short to be one, and would mangle the text
    for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
      text.replace(at, secret.size(), "<redacted>");
    }
  }
  return text;
}

QueryList ActionFields(std::string_view action, const AssumeRoleParams& params) {
  QueryList fields = {{"Action", std::string(action)},
                      {"Version", kApiVersion},
                      {"RoleArn", params.role_arn},
                      {"RoleSessionName", params.session_name}};
  if (params.duration_seconds) {
    fields.emplace_back("DurationSeconds", std::to_string(*params.duration_seconds));
  }
  return fields;
}

// Sends one STS action, signed when `credentials` is given, with retries; returns the
// credentials in a 2xx answer or the translated error.
Result<TimedCredentials> Call(net::HttpClient& http, const StsEndpoint& endpoint,
                              const QueryList& fields, const Credentials* credentials,
                              const StsCallOptions& options, std::string_view what,
                              const std::vector<std::string_view>& secrets,
                              std::string source_name) {
  const std::string body = FormBody(fields);
  const std::string authority = Authority(endpoint.url);
  auto make_call = [&]() -> net::HttpCall {
    net::HttpCall call{
        .method = "POST",
        .url = endpoint.url + "/",
        .headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
        .body = body,
        .connect_timeout = options.connect_timeout,
        .total_timeout = options.total_timeout};
    if (credentials == nullptr) return call;
    SigningRequest to_sign{.method = "POST",
                           .path = "/",
                           .query = {},
                           .headers = call.headers,
                           .payload_sha256 = Sha256Hex(body)};
    to_sign.headers.emplace_back("Host", authority);
    SigningParams params{
        .service = "sts", .region = endpoint.region, .time = std::chrono::system_clock::now()};
    Result<SignedParts> signed_parts = SignHeaders(to_sign, *credentials, params);
    if (signed_parts.ok()) {
      call.headers = std::move(to_sign.headers);
      for (auto& header : signed_parts->added_headers) call.headers.push_back(std::move(header));
    }
    return call;  // unsigned when signing failed: STS answers with the reason
  };
  if (credentials != nullptr) {
    // Signing fails only on missing keys; say so rather than send a request bound to fail.
    if (credentials->access_key_id.empty() || credentials->secret_access_key.empty()) {
      return Status::InvalidArgument(std::string(what) + ": the source credentials are empty");
    }
  }
  Result<net::HttpReply> reply =
      net::PerformWithRetries(http, make_call, WithAwsClassification(options.retry));
  if (!reply.ok()) {
    return Status(reply.status().code(),
                  std::string(what) + ": " + Scrubbed(reply.status().message(), secrets));
  }
  if (reply->status < 200 || reply->status >= 300) return StsStatus(*reply, what, secrets);
  return ReadStsCredentials(reply->body, std::move(source_name));
}

}  // namespace

StsEndpoint ResolveStsEndpoint(std::string_view profile) {
  std::string region = ResolveRegion(profile);
  if (region.empty()) {
    return {ResolveEndpoint("STS", "sts.amazonaws.com", ""), "us-east-1"};
  }
  return {ResolveEndpoint("STS", "sts.{region}.amazonaws.com", region), region};
}

Result<TimedCredentials> AssumeRole(net::HttpClient& http, const StsEndpoint& endpoint,
                                    const Credentials& source, const AssumeRoleParams& params,
                                    const StsCallOptions& options, std::string source_name) {
  QueryList fields = ActionFields("AssumeRole", params);
  if (!params.external_id.empty()) fields.emplace_back("ExternalId", params.external_id);
  const std::string what = "STS AssumeRole for " + params.role_arn;
  return Call(http, endpoint, fields, &source, options, what,
              {source.secret_access_key, source.session_token}, std::move(source_name));
}

Result<TimedCredentials> AssumeRoleWithWebIdentity(
    net::HttpClient& http, const StsEndpoint& endpoint, std::string_view token,
    const AssumeRoleParams& params, const StsCallOptions& options, std::string source_name) {
  QueryList fields = ActionFields("AssumeRoleWithWebIdentity", params);
  fields.emplace_back("WebIdentityToken", std::string(token));
  const std::string what = "STS AssumeRoleWithWebIdentity for " + params.role_arn;
  return Call(http, endpoint, fields, nullptr, options, what, {token}, std::move(source_name));
}

Result<TimedCredentials> ReadStsCredentials(std::string_view xml, std::string source_name) {
  std::optional<std::string_view> block = XmlElementContent(xml, "Credentials");
  if (!block) {
    return Status::Internal("STS answered without <Credentials> (" + source_name + ")");
  }
  TimedCredentials out;
  out.source = std::move(source_name);
  out.credentials.access_key_id = XmlElementText(*block, "AccessKeyId");
  out.credentials.secret_access_key = XmlElementText(*block, "SecretAccessKey");
  out.credentials.session_token = XmlElementText(*block, "SessionToken");
  std::string expiration = XmlElementText(*block, "Expiration");
  if (out.credentials.access_key_id.empty() || out.credentials.secret_access_key.empty() ||
      out.credentials.session_token.empty() || expiration.empty()) {
    return Status::Internal(
        "STS answer lacks AccessKeyId, SecretAccessKey, SessionToken or "
        "Expiration (" +
        out.source + ")");
  }
  out.expiration = ParseIso8601(expiration);
  if (!out.expiration) {
    return Status::Internal("STS answer has an unreadable Expiration (" + out.source + ")");
  }
  return out;
}

Status StsStatus(const net::HttpReply& reply, std::string_view what,
                 const std::vector<std::string_view>& secrets) {
  AwsError error = ParseAwsError(reply);
  std::string text =
      std::string(what) + ": " + error.code + " (HTTP " + std::to_string(error.http_status) + ")";
  if (!error.message.empty()) text += ": " + Scrubbed(error.message, secrets);
  if (!error.request_id.empty())
    text += " [request id " + Scrubbed(error.request_id, secrets) + "]";

  const std::string& code = error.code;
  const int http = error.http_status;
  Status status;
  if (IsThrottlingCode(code) || http == 429 || IsTransientCode(code) || http >= 500) {
    status = code == "RequestTimeout" || code == "RequestTimeoutException"
                 ? Status::DeadlineExceeded(text)
                 : Status::Unavailable(text);
  } else if (http == 408) {
    status = Status::DeadlineExceeded(text);
  } else if (std::find(kRefusedIdentityCodes.begin(), kRefusedIdentityCodes.end(), code) !=
                 kRefusedIdentityCodes.end() ||
             http == 401 || http == 403) {
    status = Status::PermissionDenied(text);
  } else {
    status = Status::InvalidArgument(text);
  }
  return status.WithPeer({.http_status = http, .code = code});
}

}  // namespace pictor::aws
