// Queue URL parsing and the region and endpoint a queue's requests use.
#include "queue/sqs/queue_url.h"

#include <algorithm>
#include <vector>

#include "aws/endpoint.h"

namespace pictor::sqs {
namespace {

constexpr std::string_view kHttp = "http://";
constexpr std::string_view kHttps = "https://";
constexpr std::string_view kFifo = ".fifo";

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find(sep, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

bool IsValidName(std::string_view name) {
  if (name.empty() || name.size() > 80) return false;
  std::string_view stem = name.ends_with(kFifo) ? name.substr(0, name.size() - kFifo.size()) : name;
  return !stem.empty() && std::all_of(stem.begin(), stem.end(), IsNameChar);
}

// The region in an AWS queue host, or "" for any other host.
std::string RegionOfHost(std::string_view host) {
  host = host.substr(0, host.find(':'));
  std::vector<std::string_view> labels = Split(host, '.');
  auto suffix_is = [&](std::initializer_list<std::string_view> tail) {
    if (labels.size() < tail.size()) return false;
    return std::equal(tail.begin(), tail.end(), labels.end() - tail.size());
  };
  bool aws = suffix_is({"amazonaws", "com"}) || suffix_is({"amazonaws", "com", "cn"});
  if (!aws) return "";
  size_t tail = suffix_is({"amazonaws", "com", "cn"}) ? 3 : 2;
  // sqs.<region>.amazonaws.com[.cn]
  if (labels.size() == tail + 2 && labels[0] == "sqs") return std::string(labels[1]);
  // <region>.queue.amazonaws.com (legacy), queue.amazonaws.com (us-east-1)
  if (labels.size() == tail + 2 && labels[1] == "queue") return std::string(labels[0]);
  if (labels.size() == tail + 1 && labels[0] == "queue") return "us-east-1";
  return "";
}

}  // namespace

bool IsSqsQueueUrl(std::string_view spec) {
  std::string_view rest;
  if (spec.starts_with(kHttps)) {
    rest = spec.substr(kHttps.size());
  } else if (spec.starts_with(kHttp)) {
    rest = spec.substr(kHttp.size());
  } else {
    return false;
  }
  if (rest.find_first_of("?# ") != std::string_view::npos) return false;
  if (rest.ends_with('/')) rest.remove_suffix(1);
  std::vector<std::string_view> parts = Split(rest, '/');
  return parts.size() == 3 &&
         std::none_of(parts.begin(), parts.end(), [](std::string_view p) { return p.empty(); });
}

Result<QueueUrl> ParseQueueUrl(std::string_view spec) {
  if (!IsSqsQueueUrl(spec)) {
    // Built by appending: g++ 12 at -O3 warns falsely about "'" + std::string (GCC bug 105329).
    std::string message = "'";
    message.append(spec).append(
        "' is not an SQS queue URL: expected http(s)://host[:port]/<account>/<queue-name>");
    return Status::InvalidArgument(std::move(message));
  }
  QueueUrl out;
  if (spec.ends_with('/')) spec.remove_suffix(1);
  out.url = std::string(spec);
  const size_t scheme_end = spec.find("://") + 3;
  std::vector<std::string_view> parts = Split(spec.substr(scheme_end), '/');
  out.host = std::string(parts[0]);
  out.origin = std::string(spec.substr(0, scheme_end)) + out.host;
  out.account = std::string(parts[1]);
  out.name = std::string(parts[2]);
  if (!IsValidName(out.name)) {
    std::string message = "'";
    message.append(out.name).append(
        "' is not a valid SQS queue name: 1-80 characters of letters, digits, '-' and '_', "
        "optionally ending in .fifo");
    return Status::InvalidArgument(std::move(message));
  }
  out.region = RegionOfHost(out.host);
  return out;
}

std::string ResolveQueueRegion(const QueueUrl& url) {
  if (!url.region.empty()) return url.region;
  std::string region = aws::ResolveRegion();
  return region.empty() ? "us-east-1" : region;
}

std::string ResolveQueueEndpoint(const QueueUrl& url, std::string_view region) {
  // ResolveEndpoint falls back to "https://" + the pattern when no variable applies; the
  // queue's own origin (which may be plain http) is the right fallback here.
  std::string resolved = aws::ResolveEndpoint("SQS", url.host, region);
  std::string fallback = std::string(kHttps) + url.host;
  return resolved == fallback ? url.origin : resolved;
}

}  // namespace pictor::sqs
