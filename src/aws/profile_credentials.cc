// The credentials a profile of the shared files names (static keys, an assumed role, web
// identity, credential_process), and web identity from the environment. Declared in credentials.h.
#include "aws/credentials.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include "aws/credential_process.h"
#include "aws/shared_config.h"
#include "aws/sts.h"

namespace pictor::aws {
namespace {

using std::chrono::system_clock;

// Web identity tokens are JWTs of a few kilobytes; a larger file is not one.
constexpr size_t kMaxTokenBytes = 64 * 1024;
// Role chains longer than this are refused even without a cycle (the SDKs have no limit; a
// chain this long is a mistake, and each link is an STS call at every refresh).
constexpr int kMaxChainDepth = 8;

std::string Setting(const IniSection& section, const char* key) {
  auto it = section.find(key);
  return it == section.end() ? std::string() : it->second;
}

// The role session name the SDKs would invent: theirs name the SDK and the time.
std::string DefaultSessionName() {
  return "pictor-" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                        system_clock::now().time_since_epoch())
                                        .count());
}

StsCallOptions CallOptions(const CredentialsChainOptions& options) {
  StsCallOptions call;
  call.total_timeout = options.sts_timeout;
  call.connect_timeout = std::min(options.sts_timeout, call.connect_timeout);
  return call;
}

// Reads the token file again (IRSA replaces it hourly). `variable` names where the path came
// from, for the message; the token itself is never quoted.
Result<std::string> ReadWebIdentityToken(const std::string& path, std::string_view variable) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::InvalidArgument("cannot read the web identity token file " + path + " (" +
                                   std::string(variable) + ")");
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::string token = text.str();
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  if (token.empty()) {
    return Status::InvalidArgument("the web identity token file " + path + " is empty");
  }
  if (token.size() > kMaxTokenBytes) {
    return Status::InvalidArgument("the web identity token file " + path + " is over " +
                                   std::to_string(kMaxTokenBytes) + " bytes");
  }
  return token;
}

// A profile's role_session_name, external_id and duration_seconds.
Result<AssumeRoleParams> RoleParams(const IniSection& settings, std::string_view profile) {
  AssumeRoleParams params;
  params.role_arn = Setting(settings, "role_arn");
  params.session_name = Setting(settings, "role_session_name");
  if (params.session_name.empty()) params.session_name = DefaultSessionName();
  params.external_id = Setting(settings, "external_id");
  if (std::string duration = Setting(settings, "duration_seconds"); !duration.empty()) {
    int seconds = 0;
    bool digits = duration.size() <= 5 && std::all_of(duration.begin(), duration.end(),
                                                      [](char c) { return c >= '0' && c <= '9'; });
    if (digits) seconds = std::stoi(duration);
    if (!digits || seconds < 900 || seconds > 43200) {
      return Status::InvalidArgument("AWS profile '" + std::string(profile) +
                                     "': duration_seconds must be 900 to 43200, got '" + duration +
                                     "'");
    }
    params.duration_seconds = seconds;
  }
  return params;
}

// Walks one profile and, through source_profile, the profiles it names.
class ProfileResolver {
 public:
  ProfileResolver(net::HttpClient& http, const CredentialsChainOptions& options,
                  std::string_view top_profile)
      : http_(http), options_(options), sts_(ResolveStsEndpoint(top_profile)) {}

  // `chain` holds the profiles that led here (empty for the top one).
  Result<TimedCredentials> Resolve(const std::string& name, std::vector<std::string>& chain) {
    std::optional<IniSection> settings = LoadProfile(name);
    if (!settings) {
      if (chain.empty() && name == "default") return Status::NotFound("no default profile");
      return Status::InvalidArgument(
          "AWS profile '" + name + "' is not in the shared config or credentials file" +
          (chain.empty() ? std::string() : " (source_profile of '" + chain.back() + "')"));
    }
    const std::string role_arn = Setting(*settings, "role_arn");
    const std::string source_profile = Setting(*settings, "source_profile");
    const std::string credential_source = Setting(*settings, "credential_source");
    Result<std::optional<TimedCredentials>> keys = StaticKeys(*settings, name);
    if (!keys.ok()) return keys.status();

    // A source profile's own keys win over its role (botocore): the chain stops there.
    if (!chain.empty() && keys->has_value()) return **keys;
    if (!role_arn.empty() && (!source_profile.empty() || !credential_source.empty())) {
      return AssumeRoleFor(name, *settings, *keys, chain);
    }
    const std::string token_file = Setting(*settings, "web_identity_token_file");
    if (!role_arn.empty() && !token_file.empty()) {
      Result<AssumeRoleParams> params = RoleParams(*settings, name);
      if (!params.ok()) return params.status();
      Result<std::string> token = ReadWebIdentityToken(token_file, "web_identity_token_file");
      if (!token.ok()) return token.status();
      return AssumeRoleWithWebIdentity(http_, sts_, *token, *params, CallOptions(options_),
                                       "profile:" + name + "/web-identity");
    }
    if (keys->has_value()) return **keys;
    if (std::string process = Setting(*settings, "credential_process"); !process.empty()) {
      return CredentialsFromProcess(process, {.timeout = options_.process_timeout},
                                    "profile:" + name + "/process");
    }
    if (!role_arn.empty()) {
      return Status::InvalidArgument("AWS profile '" + name +
                                     "' sets role_arn without source_profile, credential_source "
                                     "or web_identity_token_file");
    }
    for (const char* key : {"sso_session", "sso_start_url"}) {
      if (settings->contains(key)) {
        return Status::Unsupported("AWS profile '" + name + "' uses " + key +
                                   " (IAM Identity Center), which Pictor does not support; run "
                                   "`aws configure export-credentials` through credential_process "
                                   "or use keys, a role or a container or instance role");
      }
    }
    if (!chain.empty()) {
      return Status::InvalidArgument("AWS profile '" + name + "', the source_profile of '" +
                                     chain.back() + "', holds no credentials");
    }
    return Status::NotFound("AWS profile '" + name + "' holds no credentials");
  }

 private:
  // The profile's aws_access_key_id and aws_secret_access_key; nullopt when it has neither.
  static Result<std::optional<TimedCredentials>> StaticKeys(const IniSection& settings,
                                                            const std::string& name) {
    TimedCredentials out;
    out.source = "profile:" + name;
    out.credentials.access_key_id = Setting(settings, "aws_access_key_id");
    out.credentials.secret_access_key = Setting(settings, "aws_secret_access_key");
    out.credentials.session_token = Setting(settings, "aws_session_token");
    bool has_id = !out.credentials.access_key_id.empty();
    bool has_secret = !out.credentials.secret_access_key.empty();
    if (has_id != has_secret) {
      return Status::InvalidArgument("AWS profile '" + name +
                                     "' sets only one of aws_access_key_id, aws_secret_access_key");
    }
    if (!has_id) return std::optional<TimedCredentials>();
    return std::optional<TimedCredentials>(std::move(out));
  }

  Result<TimedCredentials> AssumeRoleFor(const std::string& name, const IniSection& settings,
                                         const std::optional<TimedCredentials>& own_keys,
                                         std::vector<std::string>& chain) {
    const std::string source_profile = Setting(settings, "source_profile");
    const std::string credential_source = Setting(settings, "credential_source");
    if (!source_profile.empty() && !credential_source.empty()) {
      return Status::InvalidArgument("AWS profile '" + name +
                                     "' sets both source_profile and credential_source");
    }
    if (settings.contains("mfa_serial")) {
      return Status::Unsupported("AWS profile '" + name +
                                 "' needs an MFA code (mfa_serial), which a server cannot type; "
                                 "use a role without an MFA condition");
    }
    Result<AssumeRoleParams> params = RoleParams(settings, name);
    if (!params.ok()) return params.status();

    Result<TimedCredentials> source = Status::Internal("no source");
    if (!source_profile.empty()) {
      source = SourceProfile(name, source_profile, own_keys, chain);
    } else {
      source = CredentialSource(name, credential_source);
    }
    if (!source.ok()) return source.status();
    return AssumeRole(http_, sts_, source->credentials, *params, CallOptions(options_),
                      "profile:" + name + "/assume-role");
  }

  Result<TimedCredentials> SourceProfile(const std::string& name, const std::string& source,
                                         const std::optional<TimedCredentials>& own_keys,
                                         std::vector<std::string>& chain) {
    if (source == name) {
      // A profile naming itself assumes its role with its own keys (the SDKs allow this).
      if (own_keys) return *own_keys;
      return Status::InvalidArgument("AWS profile '" + name +
                                     "' names itself as source_profile but has no keys");
    }
    chain.push_back(name);
    if (std::find(chain.begin(), chain.end(), source) != chain.end()) {
      std::string path;
      for (const std::string& link : chain) path += link + " -> ";
      return Status::InvalidArgument("AWS profiles form a source_profile cycle: " + path + source);
    }
    if (static_cast<int>(chain.size()) > kMaxChainDepth) {
      return Status::InvalidArgument("AWS profile '" + chain.front() + "' chains more than " +
                                     std::to_string(kMaxChainDepth) + " roles");
    }
    Result<TimedCredentials> found = Resolve(source, chain);
    chain.pop_back();
    return found;
  }

  Result<TimedCredentials> CredentialSource(const std::string& name, const std::string& kind) {
    Result<TimedCredentials> found = Status::Internal("no source");
    if (kind == "Environment") {
      found = CredentialsFromEnvironment();
    } else if (kind == "Ec2InstanceMetadata") {
      found = CredentialsFromInstanceMetadata(http_, options_.imds_timeout);
    } else if (kind == "EcsContainer") {
      found = CredentialsFromContainer(http_, options_.container_timeout);
    } else {
      return Status::InvalidArgument("AWS profile '" + name + "' has credential_source '" + kind +
                                     "'; accepted: Environment, Ec2InstanceMetadata, EcsContainer");
    }
    if (found.ok() || !found.status().IsNotFound()) return found;
    return Status::InvalidArgument("AWS profile '" + name + "': credential_source " + kind +
                                   " found no credentials (" + found.status().message() + ")");
  }

  net::HttpClient& http_;
  const CredentialsChainOptions& options_;
  const StsEndpoint sts_;
};

}  // namespace

Result<TimedCredentials> CredentialsFromWebIdentity(net::HttpClient& http,
                                                    const CredentialsChainOptions& options) {
  const std::string token_file = GetEnv("AWS_WEB_IDENTITY_TOKEN_FILE");
  if (token_file.empty()) return Status::NotFound("no AWS_WEB_IDENTITY_TOKEN_FILE");
  AssumeRoleParams params;
  params.role_arn = GetEnv("AWS_ROLE_ARN");
  if (params.role_arn.empty()) {
    return Status::InvalidArgument("AWS_WEB_IDENTITY_TOKEN_FILE is set without AWS_ROLE_ARN");
  }
  params.session_name = GetEnv("AWS_ROLE_SESSION_NAME");
  if (params.session_name.empty()) params.session_name = DefaultSessionName();
  Result<std::string> token = ReadWebIdentityToken(token_file, "AWS_WEB_IDENTITY_TOKEN_FILE");
  if (!token.ok()) return token.status();
  return AssumeRoleWithWebIdentity(http, ResolveStsEndpoint(options.profile), *token, params,
                                   CallOptions(options), "web-identity");
}

Result<TimedCredentials> CredentialsFromProfile(std::string_view profile, net::HttpClient& http,
                                                const CredentialsChainOptions& options) {
  std::vector<std::string> chain;
  ProfileResolver resolver(http, options, profile);
  return resolver.Resolve(std::string(profile), chain);
}

}  // namespace pictor::aws
