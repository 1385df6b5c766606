// Which region and which endpoint an AWS client talks to, resolved as the AWS SDKs do.
//
// Free functions reading the environment and the shared config file on each call; thread-safe
// as long as nobody changes the environment concurrently.
#ifndef PICTOR_AWS_ENDPOINT_H_
#define PICTOR_AWS_ENDPOINT_H_

#include <string>
#include <string_view>

namespace pictor::aws {

// AWS_REGION, else AWS_DEFAULT_REGION, else the `region` of the profile (ActiveProfile(profile))
// in the shared config files; "" when none says.
std::string ResolveRegion(std::string_view profile = {});

// The base URL (scheme, host, optional port and path; no trailing '/') for a service:
//  1. AWS_ENDPOINT_URL_<service_env_suffix> ("S3", "SQS", "BEDROCK_RUNTIME"),
//  2. AWS_ENDPOINT_URL,
//  3. "https://" + default_host_pattern with every "{region}" replaced by `region`
//     ("sqs.{region}.amazonaws.com").
// Steps 1 and 2 are skipped when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is "true".
std::string ResolveEndpoint(std::string_view service_env_suffix,
                            std::string_view default_host_pattern, std::string_view region);

}  // namespace pictor::aws

#endif  // PICTOR_AWS_ENDPOINT_H_
