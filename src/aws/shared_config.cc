// Reading the AWS shared config and credentials files.
#include "aws/shared_config.h"
#include "core/ascii.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace pictor::aws {
namespace {

// Drops a comment that starts after whitespace: "value # note" -> "value".
std::string_view StripInlineComment(std::string_view value) {
  for (size_t i = 1; i < value.size(); ++i) {
    if ((value[i] == '#' || value[i] == ';') &&
        std::isspace(static_cast<unsigned char>(value[i - 1]))) {
      return value.substr(0, i);
    }
  }
  return value;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// `variable`'s value, or ~/.aws/<default_name>; a leading "~/" becomes $HOME. (Built by
// appending: g++ 12 at -O3 warns falsely about string concatenation here, GCC bug 105329.)
std::string FileFromEnv(const char* variable, const char* default_name) {
  std::string path = GetEnv(variable);
  if (path.empty()) {
    path.assign("~/.aws/");
    path.append(default_name);
  }
  if (path.size() >= 2 && path[0] == '~' && path[1] == '/') {
    std::string home = GetEnv("HOME");
    home.append(path, 1, std::string::npos);
    return home;
  }
  return path;
}

}  // namespace

std::string GetEnv(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::string(value) : std::string();
}

bool EnvIsTrue(const char* name) { return AsciiLower(AsciiTrim(GetEnv(name))) == "true"; }

IniDocument ParseIni(std::string_view text) {
  IniDocument doc;
  IniSection* section = nullptr;
  bool in_nested_block = false;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string_view raw = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    std::string_view line = AsciiTrim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    bool indented = std::isspace(static_cast<unsigned char>(raw.front()));
    if (indented && in_nested_block) continue;  // "  addressing_style = path" under "s3 ="
    in_nested_block = false;
    if (line.front() == '[') {
      size_t close = line.find(']');
      if (close == std::string_view::npos) {
        section = nullptr;
        continue;
      }
      section = &doc[std::string(AsciiTrim(line.substr(1, close - 1)))];
      continue;
    }
    size_t eq = line.find('=');
    if (section == nullptr || eq == std::string_view::npos) continue;
    std::string key = AsciiLower(AsciiTrim(line.substr(0, eq)));
    std::string_view value = AsciiTrim(StripInlineComment(AsciiTrim(line.substr(eq + 1))));
    if (value.empty()) in_nested_block = true;
    (*section)[key] = std::string(value);
  }
  return doc;
}

std::string ActiveProfile(std::string_view explicit_profile) {
  if (!explicit_profile.empty()) return std::string(explicit_profile);
  std::string from_env = GetEnv("AWS_PROFILE");
  return from_env.empty() ? "default" : from_env;
}

std::string CredentialsFilePath() {
  return FileFromEnv("AWS_SHARED_CREDENTIALS_FILE", "credentials");
}

std::string ConfigFilePath() { return FileFromEnv("AWS_CONFIG_FILE", "config"); }

std::optional<IniSection> LoadProfile(std::string_view profile) {
  std::optional<IniSection> merged;
  IniDocument config = ParseIni(ReadFile(ConfigFilePath()));
  std::string config_name = "profile " + std::string(profile);
  auto it = config.find(config_name);
  if (it == config.end() && profile == "default") it = config.find("default");
  if (it != config.end()) merged = it->second;

  IniDocument credentials = ParseIni(ReadFile(CredentialsFilePath()));
  if (auto found = credentials.find(std::string(profile)); found != credentials.end()) {
    if (!merged) merged.emplace();
    for (const auto& [key, value] : found->second) (*merged)[key] = value;
  }
  return merged;
}

}  // namespace pictor::aws
