#include "aws/sigv4.h"

#include <algorithm>
#include <ctime>

#include "aws/path_normalization.h"
#include "core/ascii.h"
#include "core/digest.h"
#include "core/hex.h"
#include "core/percent_encoding.h"

namespace pictor::aws {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kEmptyPayloadSha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr std::chrono::seconds kMaxExpiry{7 * 24 * 3600};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Trims the value and turns every run of whitespace (folded continuation lines included) into
// one space, quoted text too, as the SigV4 rules say.
std::string CanonicalHeaderValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool pending_space = false;
  for (char c : value) {
    if (IsSpace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

// Headers a proxy or the HTTP library may change in flight; signing them would break requests.
bool IsUnsignedHeader(std::string_view lower_name) {
  return lower_name == "user-agent" || lower_name == "expect" || lower_name == "x-amzn-trace-id" ||
         lower_name == "authorization";
}

struct CanonicalHeaders {
  std::string block;           // "name:value\n" per distinct name, sorted
  std::string signed_headers;  // "host;x-amz-date"
};

CanonicalHeaders BuildCanonicalHeaders(const HeaderList& headers) {
  std::vector<std::pair<std::string, std::string>> lowered;
  lowered.reserve(headers.size());
  for (const auto& [name, value] : headers) {
    std::string lower = AsciiLower(name);
    if (!IsUnsignedHeader(lower))
      lowered.emplace_back(std::move(lower), CanonicalHeaderValue(value));
  }
  // Stable, so repeated headers keep their request order when joined.
  std::stable_sort(lowered.begin(), lowered.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  CanonicalHeaders out;
  for (size_t i = 0; i < lowered.size(); ++i) {
    if (i > 0 && lowered[i].first == lowered[i - 1].first) {
      out.block.pop_back();  // the '\n' of the previous line
      out.block.append(",").append(lowered[i].second).append("\n");
      continue;
    }
    if (!out.signed_headers.empty()) out.signed_headers.push_back(';');
    out.signed_headers.append(lowered[i].first);
    out.block.append(lowered[i].first).append(":").append(lowered[i].second).append("\n");
  }
  return out;
}

std::string CanonicalUri(std::string_view path, const SigningParams& params) {
  if (path.empty()) return "/";
  if (params.s3_mode) return std::string(path);
  return PercentEncode(params.normalize_path ? NormalizePath(path) : std::string(path),
                       /*keep_slash=*/true);
}

std::string CanonicalQuery(const QueryList& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [name, value] : query)
    encoded.emplace_back(PercentEncode(name), PercentEncode(value));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out.append(name).append("=").append(value);
  }
  return out;
}

const std::string* FindHost(const HeaderList& headers) {
  for (const auto& [name, value] : headers) {
    if (AsciiLower(name) == "host") return &value;
  }
  return nullptr;
}

Status Validate(const SigningRequest& request, const Credentials& credentials,
                const SigningParams& params) {
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return Status::InvalidArgument("AWS signing: the access key id or secret key is empty");
  }
  if (params.service.empty() || params.region.empty()) {
    return Status::InvalidArgument("AWS signing: the service or region is empty");
  }
  if (request.method.empty()) return Status::InvalidArgument("AWS signing: the method is empty");
  if (FindHost(request.headers) == nullptr) {
    return Status::InvalidArgument("AWS signing: the request has no Host header");
  }
  return Status::Ok();
}

struct Scope {
  std::string amz_date;    // 20150830T123600Z
  std::string credential;  // 20150830/us-east-1/service/aws4_request
};

Scope MakeScope(const SigningParams& params) {
  Scope scope;
  scope.amz_date = AmzDate(params.time);
  scope.credential =
      scope.amz_date.substr(0, 8) + "/" + params.region + "/" + params.service + "/aws4_request";
  return scope;
}

std::string PayloadHash(const SigningRequest& request) {
  return request.payload_sha256.empty() ? std::string(kEmptyPayloadSha256) : request.payload_sha256;
}

// Fills string_to_sign and signature from an already built canonical request.
void Sign(SignedParts& parts, const Credentials& credentials, const SigningParams& params,
          const Scope& scope) {
  parts.string_to_sign = std::string(kAlgorithm) + "\n" + scope.amz_date + "\n" + scope.credential +
                         "\n" + Sha256Hex(parts.canonical_request);
  std::string key = DeriveSigningKey(credentials.secret_access_key, scope.amz_date.substr(0, 8),
                                     params.region, params.service);
  parts.signature = HexEncode(HmacSha256(key, parts.string_to_sign));
}

std::string JoinCanonicalRequest(const SigningRequest& request, const SigningParams& params,
                                 const std::string& query, const CanonicalHeaders& headers,
                                 const std::string& payload_hash) {
  return request.method + "\n" + CanonicalUri(request.path, params) + "\n" + query + "\n" +
         headers.block + "\n" + headers.signed_headers + "\n" + payload_hash;
}

}  // namespace

std::string AmzDate(std::chrono::system_clock::time_point time) {
  std::time_t t = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char buffer[32];
  size_t n = std::strftime(buffer, sizeof buffer, "%Y%m%dT%H%M%SZ", &utc);
  return std::string(buffer, n);
}

std::string DeriveSigningKey(std::string_view secret_access_key, std::string_view date,
                             std::string_view region, std::string_view service) {
  std::string key = HmacSha256("AWS4" + std::string(secret_access_key), date);
  key = HmacSha256(key, region);
  key = HmacSha256(key, service);
  return HmacSha256(key, "aws4_request");
}

Result<SignedParts> SignHeaders(const SigningRequest& request, const Credentials& credentials,
                                const SigningParams& params) {
  if (Status status = Validate(request, credentials, params); !status.ok()) return status;
  const Scope scope = MakeScope(params);
  const std::string payload_hash = PayloadHash(request);
  const bool has_token = !credentials.session_token.empty();

  SignedParts parts;
  parts.added_headers.emplace_back("X-Amz-Date", scope.amz_date);
  if (has_token)
    parts.added_headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
  if (params.s3_mode || params.sign_content_sha256) {
    parts.added_headers.emplace_back("x-amz-content-sha256", payload_hash);
  }

  HeaderList signed_headers = request.headers;
  for (const auto& header : parts.added_headers) {
    if (params.omit_session_token && header.first == "X-Amz-Security-Token") continue;
    signed_headers.push_back(header);
  }
  const CanonicalHeaders canonical = BuildCanonicalHeaders(signed_headers);
  parts.canonical_request =
      JoinCanonicalRequest(request, params, CanonicalQuery(request.query), canonical, payload_hash);
  Sign(parts, credentials, params, scope);

  parts.authorization = std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + "/" +
                        scope.credential + ", SignedHeaders=" + canonical.signed_headers +
                        ", Signature=" + parts.signature;
  parts.added_headers.emplace_back("Authorization", parts.authorization);
  return parts;
}

Result<SignedParts> PresignQuery(const SigningRequest& request, const Credentials& credentials,
                                 const SigningParams& params, std::chrono::seconds expires) {
  if (Status status = Validate(request, credentials, params); !status.ok()) return status;
  if (expires < std::chrono::seconds(1) || expires > kMaxExpiry) {
    return Status::InvalidArgument("AWS presigning: expiry must be between 1 second and 7 days");
  }
  const Scope scope = MakeScope(params);
  const CanonicalHeaders canonical = BuildCanonicalHeaders(request.headers);
  const bool has_token = !credentials.session_token.empty();

  QueryList query = request.query;
  query.emplace_back("X-Amz-Algorithm", std::string(kAlgorithm));
  query.emplace_back("X-Amz-Credential", credentials.access_key_id + "/" + scope.credential);
  query.emplace_back("X-Amz-Date", scope.amz_date);
  query.emplace_back("X-Amz-Expires", std::to_string(expires.count()));
  query.emplace_back("X-Amz-SignedHeaders", canonical.signed_headers);
  if (has_token && !params.omit_session_token) {
    query.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  const std::string canonical_query = CanonicalQuery(query);

  SignedParts parts;
  parts.canonical_request =
      JoinCanonicalRequest(request, params, canonical_query, canonical, PayloadHash(request));
  Sign(parts, credentials, params, scope);

  parts.query_string = canonical_query;
  if (has_token && params.omit_session_token) {
    parts.query_string += "&X-Amz-Security-Token=" + PercentEncode(credentials.session_token);
  }
  parts.query_string += "&X-Amz-Signature=" + parts.signature;
  return parts;
}

Result<std::string> PresignUrl(const SigningRequest& request, const Credentials& credentials,
                               const SigningParams& params, std::chrono::seconds expires,
                               std::string_view scheme) {
  Result<SignedParts> parts = PresignQuery(request, credentials, params, expires);
  if (!parts.ok()) return parts.status();
  const std::string path = request.path.empty() ? "/" : request.path;
  return std::string(scheme) + "://" + *FindHost(request.headers) + path + "?" +
         parts->query_string;
}

}  // namespace pictor::aws
