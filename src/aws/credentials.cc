// The credentials chain's sources and the caching provider.
#include "aws/credentials.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include "aws/shared_config.h"

namespace pictor::aws {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

constexpr char kDefaultImdsEndpoint[] = "http://169.254.169.254";
constexpr char kEcsHost[] = "http://169.254.170.2";
// fd00:ec2::23, EKS Pod Identity's IPv6 agent address.
constexpr unsigned char kEksPodIdentityV6[16] = {0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0,
                                                 0,    0,    0,    0,    0, 0, 0, 0x23};

std::string Trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// Reads the JSON document the container and instance metadata endpoints both return.
Result<TimedCredentials> CredentialsFromJson(std::string_view body, std::string source) {
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  auto text = [&doc](const char* key) {
    auto it = doc.is_object() ? doc.find(key) : doc.end();
    return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  TimedCredentials out;
  out.source = std::move(source);
  out.credentials.access_key_id = text("AccessKeyId");
  out.credentials.secret_access_key = text("SecretAccessKey");
  out.credentials.session_token = text("Token");
  if (out.credentials.access_key_id.empty() || out.credentials.secret_access_key.empty()) {
    return Status::Internal(out.source + " returned no AccessKeyId/SecretAccessKey");
  }
  if (std::string expiration = text("Expiration"); !expiration.empty()) {
    out.expiration = ParseIso8601(expiration);
    if (!out.expiration) return Status::Internal(out.source + " returned an unreadable Expiration");
  }
  return out;
}

// The host of an http URL, without port or brackets.
std::string UrlHost(std::string_view url) {
  size_t start = url.find("://");
  start = start == std::string_view::npos ? 0 : start + 3;
  std::string_view rest = url.substr(start);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
  if (rest.starts_with('[')) return std::string(rest.substr(1, rest.find(']') - 1));
  return std::string(rest.substr(0, rest.find(':')));
}

// True for an IPv4 literal in 127.0.0.0/8 or the IPv6 literal ::1 (a name such as
// "127.example.com" is not one).
bool IsLoopbackLiteral(const std::string& host) {
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return ::inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

// The Authorization header for the container endpoint: the token file (EKS Pod Identity rotates
// it, so it is read at every fetch) or the variable. A token with a line break would inject
// headers; the SDKs refuse it too.
Result<std::string> ContainerAuthorization() {
  std::string token;
  if (std::string file = GetEnv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"); !file.empty()) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      return Status::InvalidArgument("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " + file);
    }
    std::ostringstream text;
    text << in.rdbuf();
    token = Trimmed(text.str());
  } else {
    token = GetEnv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
  }
  if (token.find_first_of("\r\n") != std::string::npos) {
    return Status::InvalidArgument("the container authorization token holds a line break");
  }
  return token;
}

// A refusal of the caller's token is PermissionDenied; anything else may pass.
Status ReplyError(std::string_view what, const net::HttpReply& reply) {
  std::string text = std::string(what) + " answered HTTP " + std::to_string(reply.status);
  if (reply.status == 401 || reply.status == 403) return Status::PermissionDenied(text);
  return Status::Unavailable(text);
}

std::string MaskedKeyId(std::string_view id) {
  if (id.size() <= 8) return std::string(id.size(), '*');
  return std::string(id.substr(0, 4)) + "****" + std::string(id.substr(id.size() - 4));
}

}  // namespace

bool AllowedContainerUrl(std::string_view url) {
  if (url.starts_with("https://")) return true;
  if (!url.starts_with("http://")) return false;
  std::string host = UrlHost(url);
  if (host == "localhost" || IsLoopbackLiteral(host)) return true;
  in6_addr v6{};
  return host == "169.254.170.2" || host == "169.254.170.23" ||
         (::inet_pton(AF_INET6, host.c_str(), &v6) == 1 && host.find(':') != std::string::npos &&
          std::memcmp(&v6, kEksPodIdentityV6, sizeof v6) == 0);
}

std::optional<system_clock::time_point> ParseIso8601(std::string_view text) {
  std::tm tm{};
  int consumed = 0;
  std::string s(text);
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6) {
    return std::nullopt;
  }
  // A time_point counts nanoseconds in 64 bits, up to the year 2262: a later (or malformed)
  // expiration is refused rather than overflowing.
  if (tm.tm_year < 1970 || tm.tm_year > 2200 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
      tm.tm_mday > 31 || tm.tm_hour < 0 || tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59 ||
      tm.tm_sec < 0 || tm.tm_sec > 60) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  time_t seconds = timegm(&tm);
  if (seconds == static_cast<time_t>(-1)) return std::nullopt;
  return system_clock::from_time_t(seconds);
}

Result<TimedCredentials> CredentialsFromEnvironment() {
  TimedCredentials out;
  out.source = "environment";
  out.credentials.access_key_id = GetEnv("AWS_ACCESS_KEY_ID");
  out.credentials.secret_access_key = GetEnv("AWS_SECRET_ACCESS_KEY");
  out.credentials.session_token = GetEnv("AWS_SESSION_TOKEN");
  bool has_id = !out.credentials.access_key_id.empty();
  bool has_secret = !out.credentials.secret_access_key.empty();
  if (!has_id && !has_secret) return Status::NotFound("no AWS_ACCESS_KEY_ID in the environment");
  if (!has_id || !has_secret) {
    return Status::InvalidArgument(
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together");
  }
  return out;
}

Result<TimedCredentials> CredentialsFromContainer(net::HttpClient& http, milliseconds timeout) {
  std::string url;
  if (std::string relative = GetEnv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"); !relative.empty()) {
    url = kEcsHost + (relative.starts_with('/') ? relative : "/" + relative);
  } else if (std::string full = GetEnv("AWS_CONTAINER_CREDENTIALS_FULL_URI"); !full.empty()) {
    if (!AllowedContainerUrl(full)) {
      return Status::InvalidArgument(
          "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or point at a loopback or "
          "container-agent address");
    }
    url = full;
  } else {
    return Status::NotFound("no container credentials endpoint configured");
  }
  Result<std::string> authorization = ContainerAuthorization();
  if (!authorization.ok()) return authorization.status();

  net::HttpCall call{.method = "GET", .url = url};
  if (!authorization->empty()) call.headers.emplace_back("Authorization", *authorization);
  call.connect_timeout = timeout;
  call.total_timeout = timeout;
  Result<net::HttpReply> reply = http.Perform(call);
  if (!reply.ok()) return reply.status().WithContext("container credentials endpoint");
  if (reply->status != 200) return ReplyError("container credentials endpoint", *reply);
  return CredentialsFromJson(reply->body, "container");
}

Result<TimedCredentials> CredentialsFromInstanceMetadata(net::HttpClient& http,
                                                         milliseconds timeout) {
  if (EnvIsTrue("AWS_EC2_METADATA_DISABLED")) {
    return Status::NotFound("instance metadata disabled by AWS_EC2_METADATA_DISABLED");
  }
  std::string endpoint = GetEnv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
  if (endpoint.empty()) endpoint = kDefaultImdsEndpoint;
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  auto call = [&](std::string method, std::string path, HeaderList headers) {
    return net::HttpCall{.method = std::move(method),
                         .url = endpoint + path,
                         .headers = std::move(headers),
                         .body = {},
                         .connect_timeout = timeout,
                         .total_timeout = timeout};
  };

  Result<net::HttpReply> token = http.Perform(
      call("PUT", "/latest/api/token", {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}}));
  if (!token.ok()) {
    return Status::NotFound("no instance metadata service (" + token.status().message() + ")");
  }
  if (token->status != 200) return ReplyError("instance metadata token request", *token);
  HeaderList with_token = {{"X-aws-ec2-metadata-token", Trimmed(token->body)}};

  const std::string roles_path = "/latest/meta-data/iam/security-credentials/";
  Result<net::HttpReply> roles = http.Perform(call("GET", roles_path, with_token));
  if (!roles.ok()) return roles.status().WithContext("instance metadata");
  if (roles->status == 404) return Status::NotFound("the instance has no IAM role");
  if (roles->status != 200) return ReplyError("instance metadata role list", *roles);
  std::string role = Trimmed(std::string_view(roles->body).substr(0, roles->body.find('\n')));
  if (role.empty()) return Status::NotFound("the instance has no IAM role");

  Result<net::HttpReply> creds = http.Perform(call("GET", roles_path + role, with_token));
  if (!creds.ok()) return creds.status().WithContext("instance metadata");
  if (creds->status != 200) return ReplyError("instance metadata credentials", *creds);
  return CredentialsFromJson(creds->body, "imds");
}

Result<TimedCredentials> ResolveCredentialsChain(const CredentialsChainOptions& options,
                                                 net::HttpClient& http) {
  if (options.explicit_credentials) {
    return TimedCredentials{*options.explicit_credentials, std::nullopt, "explicit"};
  }
  const std::string profile = ActiveProfile(options.profile);
  const std::function<Result<TimedCredentials>()> sources[] = {
      [] { return CredentialsFromEnvironment(); },
      [&] { return CredentialsFromWebIdentity(http, options); },
      [&] { return CredentialsFromProfile(profile, http, options); },
      [&] { return CredentialsFromContainer(http, options.container_timeout); },
      [&] { return CredentialsFromInstanceMetadata(http, options.imds_timeout); },
  };
  for (const auto& source : sources) {
    Result<TimedCredentials> found = source();
    if (found.ok() || !found.status().IsNotFound()) return found;
  }
  return Status::PermissionDenied(
      "no AWS credentials found (looked in: environment, web identity, profile '" + profile +
      "', container endpoint, instance metadata)");
}

std::string DescribeCredentials(const TimedCredentials& credentials) {
  return MaskedKeyId(credentials.credentials.access_key_id) + " (" + credentials.source + ")";
}

CredentialsProvider::CredentialsProvider(Fetch fetch, std::chrono::seconds refresh_margin,
                                         Clock clock)
    : fetch_(std::move(fetch)), refresh_margin_(refresh_margin), clock_(std::move(clock)) {}

std::unique_ptr<CredentialsProvider> CredentialsProvider::FromChain(CredentialsChainOptions options,
                                                                    net::HttpClient& http) {
  return std::make_unique<CredentialsProvider>(
      [options = std::move(options), &http] { return ResolveCredentialsChain(options, http); });
}

Result<Credentials> CredentialsProvider::Get() {
  std::lock_guard<std::mutex> lock(cache_mutex_);
  const system_clock::time_point now = clock_();
  if (cached_ && (!cached_->expiration || now < *cached_->expiration - refresh_margin_)) {
    return cached_->credentials;
  }
  Result<TimedCredentials> fresh = fetch_();
  if (fresh.ok()) {
    cached_ = std::move(fresh).value();
    return cached_->credentials;
  }
  if (cached_ && now < *cached_->expiration) return cached_->credentials;
  return fresh.status();
}

}  // namespace pictor::aws
