// The AWS shared configuration files (~/.aws/config and ~/.aws/credentials) as the SDKs read them.
//
// Free functions; they read the environment (HOME, AWS_PROFILE, AWS_CONFIG_FILE,
// AWS_SHARED_CREDENTIALS_FILE) and the files on every call, with no cache, so they are
// thread-safe as long as nobody changes the environment concurrently. A missing or unreadable
// file counts as empty, as in the SDKs.
#ifndef PICTOR_AWS_SHARED_CONFIG_H_
#define PICTOR_AWS_SHARED_CONFIG_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace pictor::aws {

// One section's settings: lower-case key -> value.
using IniSection = std::map<std::string, std::string>;
// Section name (text between the brackets, trimmed) -> settings.
using IniDocument = std::map<std::string, IniSection>;

// Parses INI text: "[section]" headers, "key = value" lines, full-line comments starting with
// '#' or ';', inline comments after whitespace (" # ..."), surrounding whitespace ignored.
// Indented lines under a key with an empty value (the nested "s3 =" style) are skipped. Keys
// are lower-cased; a later duplicate key wins. Lines outside any section are ignored.
IniDocument ParseIni(std::string_view text);

// `explicit_profile` if not empty, else AWS_PROFILE, else "default".
std::string ActiveProfile(std::string_view explicit_profile = {});

// AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials, and AWS_CONFIG_FILE or ~/.aws/config;
// a leading "~/" expands to $HOME.
std::string CredentialsFilePath();
std::string ConfigFilePath();

// The profile's settings: the config file's "[profile <name>]" (or "[default]" for default)
// overlaid by the credentials file's "[<name>]", which wins. nullopt when neither file has the
// profile.
std::optional<IniSection> LoadProfile(std::string_view profile);

// The environment variable's value, or "" when unset.
std::string GetEnv(const char* name);

// True when the variable is set to "true" in any case.
bool EnvIsTrue(const char* name);

}  // namespace pictor::aws

#endif  // PICTOR_AWS_SHARED_CONFIG_H_
