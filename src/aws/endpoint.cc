// Region and endpoint resolution.
#include "aws/endpoint.h"

#include "aws/shared_config.h"

namespace pictor::aws {
namespace {

std::string WithoutTrailingSlash(std::string url) {
  while (url.size() > 1 && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

std::string ResolveRegion(std::string_view profile) {
  for (const char* variable : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    std::string value = GetEnv(variable);
    if (!value.empty()) return value;
  }
  std::optional<IniSection> settings = LoadProfile(ActiveProfile(profile));
  if (settings) {
    auto it = settings->find("region");
    if (it != settings->end()) return it->second;
  }
  return {};
}

std::string ResolveEndpoint(std::string_view service_env_suffix,
                            std::string_view default_host_pattern, std::string_view region) {
  if (!EnvIsTrue("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) {
    std::string per_service = "AWS_ENDPOINT_URL_" + std::string(service_env_suffix);
    for (const std::string& variable : {per_service, std::string("AWS_ENDPOINT_URL")}) {
      std::string value = GetEnv(variable.c_str());
      if (!value.empty()) return WithoutTrailingSlash(std::move(value));
    }
  }
  std::string host(default_host_pattern);
  for (size_t at = host.find("{region}"); at != std::string::npos;
       at = host.find("{region}", at + region.size())) {
    host.replace(at, 8, region);
  }
  return "https://" + host;
}

}  // namespace pictor::aws
