// SQS queue URLs: what a queue spec names, and where its requests go.
//
// Free functions, thread-safe as long as nobody changes the environment concurrently (the
// region and endpoint may come from it). No I/O.
#ifndef PICTOR_QUEUE_SQS_QUEUE_URL_H_
#define PICTOR_QUEUE_SQS_QUEUE_URL_H_

#include <string>
#include <string_view>

#include "pictor/status.h"

namespace pictor::sqs {

// A queue URL taken apart: "https://sqs.eu-west-1.amazonaws.com/123456789012/prompts".
struct QueueUrl {
  std::string url;      // as given, without a trailing '/'; sent as QueueUrl in every request
  std::string origin;   // "https://sqs.eu-west-1.amazonaws.com"
  std::string host;     // "sqs.eu-west-1.amazonaws.com" (with ":port" when given)
  std::string account;  // "123456789012"
  std::string name;     // "prompts"
  std::string region;   // from an AWS host, else "" (see ResolveQueueRegion)
};

// True when `spec` has the shape of a queue URL: http(s)://host[:port]/<account>/<name> with
// exactly two non-empty path segments and no query or fragment. Does not judge the name.
bool IsSqsQueueUrl(std::string_view spec);

// Parses and checks a queue URL. The region is read from AWS hosts: sqs.<region>.amazonaws.com
// (and .amazonaws.com.cn), <region>.queue.amazonaws.com, and queue.amazonaws.com (us-east-1).
// InvalidArgument for anything else than a queue URL, or a name SQS would refuse (1-80
// characters of [A-Za-z0-9_-], optionally ending in ".fifo").
Result<QueueUrl> ParseQueueUrl(std::string_view spec);

// The signing region: the URL's own, else ResolveRegion() (AWS_REGION, AWS_DEFAULT_REGION,
// the profile), else "us-east-1" (self-hosted servers such as ElasticMQ accept any region).
std::string ResolveQueueRegion(const QueueUrl& url);

// Where requests go: AWS_ENDPOINT_URL_SQS or AWS_ENDPOINT_URL when set (endpoint.h's rules),
// else the URL's origin.
std::string ResolveQueueEndpoint(const QueueUrl& url, std::string_view region);

}  // namespace pictor::sqs

#endif  // PICTOR_QUEUE_SQS_QUEUE_URL_H_
