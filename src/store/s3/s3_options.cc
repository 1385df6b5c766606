// S3 store settings: the spec, the deployment environment, and where requests go.
#include <cstdlib>
#include <string>

#include "aws/endpoint.h"
#include "core/percent_encoding.h"
#include "store/s3/s3_store.h"

namespace pictor {
namespace {

constexpr std::string_view kScheme = "s3://";
constexpr std::string_view kSpecForm = "expected s3://bucket or s3://bucket/prefix";

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// Bucket names S3 accepts anywhere, legacy us-east-1 names (upper case, '_') included; those
// are reached path-style.
Status CheckBucketName(std::string_view bucket) {
  if (bucket.size() < 3 || bucket.size() > 255) {
    return Status::InvalidArgument("S3 bucket name '" + std::string(bucket) +
                                   "' must be 3 to 255 characters long");
  }
  for (char c : bucket) {
    bool ok = IsLowerAlnum(c) || (c >= 'A' && c <= 'Z') || c == '.' || c == '-' || c == '_';
    if (!ok) {
      return Status::InvalidArgument("S3 bucket name '" + std::string(bucket) +
                                     "' may only hold letters, digits, '.', '-' and '_'");
    }
  }
  return Status::Ok();
}

std::string GetEnv(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::string(value) : std::string();
}

// True when `endpoint` is AWS's own regional S3 endpoint, which ResolveEndpoint returns when
// nothing custom is configured.
bool IsAwsEndpoint(std::string_view endpoint) {
  if (endpoint.empty()) return true;
  size_t start = endpoint.find("://");
  std::string_view host = start == std::string_view::npos ? endpoint : endpoint.substr(start + 3);
  host = host.substr(0, host.find_first_of("/:"));
  return host.starts_with("s3.") && host.ends_with(".amazonaws.com");
}

}  // namespace

Result<S3StoreOptions> ParseS3Spec(std::string_view spec) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("bad S3 store '" + std::string(spec) + "': " + std::string(why) +
                                   " (" + std::string(kSpecForm) + ")");
  };
  if (!spec.starts_with(kScheme)) return bad("not an s3:// URL");
  std::string_view rest = spec.substr(kScheme.size());
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return bad("no query or fragment is allowed");
  }
  while (rest.ends_with('/')) rest.remove_suffix(1);
  size_t slash = rest.find('/');
  S3StoreOptions options;
  options.bucket = std::string(rest.substr(0, slash));
  if (options.bucket.empty()) return bad("the bucket is missing");
  if (Status s = CheckBucketName(options.bucket); !s.ok()) return bad(s.message());
  if (slash != std::string_view::npos) {
    options.prefix = std::string(rest.substr(slash + 1));
    if (Status s = ValidateObjectKey(options.prefix); !s.ok()) {
      return bad("the prefix is not a valid key: " + s.message());
    }
  }
  return options;
}

Result<S3StoreOptions> S3OptionsFromEnvironment() {
  std::string bucket = GetEnv("BUCKET_NAME");
  if (bucket.empty()) return Status::InvalidArgument("BUCKET_NAME is not set");
  if (bucket.starts_with(kScheme)) return ParseS3Spec(bucket);
  if (Status s = CheckBucketName(bucket); !s.ok()) return s.WithContext("BUCKET_NAME");
  S3StoreOptions options;
  options.bucket = std::move(bucket);
  return options;
}

Result<S3StoreOptions> ResolveS3Options(S3StoreOptions options) {
  if (Status s = CheckBucketName(options.bucket); !s.ok()) return s;
  while (options.prefix.ends_with('/')) options.prefix.pop_back();
  if (!options.prefix.empty()) {
    if (Status s = ValidateObjectKey(options.prefix); !s.ok()) {
      return s.WithContext("S3 store prefix");
    }
  }
  if (options.list_page_size < 1 || options.list_page_size > 1000) {
    return Status::InvalidArgument("S3 list page size must be 1 to 1000");
  }
  if (options.max_attempts < 1) return Status::InvalidArgument("S3 max attempts must be >= 1");
  if (options.region.empty()) options.region = aws::ResolveRegion();
  if (options.region.empty()) options.region = "us-east-1";
  if (options.endpoint.empty()) {
    std::string endpoint = aws::ResolveEndpoint("S3", "s3.{region}.amazonaws.com", options.region);
    if (!IsAwsEndpoint(endpoint)) options.endpoint = std::move(endpoint);
  }
  while (options.endpoint.ends_with('/')) options.endpoint.pop_back();
  return options;
}

bool IsVirtualHostableBucket(std::string_view bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  if (!IsLowerAlnum(bucket.front()) || !IsLowerAlnum(bucket.back())) return false;
  for (char c : bucket) {
    if (!IsLowerAlnum(c) && c != '-') return false;
  }
  return true;
}

S3Address S3AddressFor(const S3StoreOptions& resolved) {
  S3Address address;
  if (!resolved.endpoint.empty()) {
    address.endpoint = resolved.endpoint;
    address.bucket_path = "/" + resolved.bucket;
  } else if (resolved.force_path_style || !IsVirtualHostableBucket(resolved.bucket)) {
    address.endpoint = "https://s3." + resolved.region + ".amazonaws.com";
    address.bucket_path = "/" + resolved.bucket;
  } else {
    address.endpoint = "https://" + resolved.bucket + ".s3." + resolved.region + ".amazonaws.com";
  }
  return address;
}

std::string S3ObjectUrl(const S3StoreOptions& resolved, std::string_view full_key) {
  S3Address address = S3AddressFor(resolved);
  std::string url = address.endpoint;
  url += address.bucket_path;
  url += '/';
  url += PercentEncode(full_key, /*keep_slash=*/true);
  return url;
}

}  // namespace pictor
