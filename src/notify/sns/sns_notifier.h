// SNS Publish to a topic (the query protocol, SigV4 service "sns"), so that the topic and email
// subscription of the Terraform setup can be reused. The region comes from the topic ARN, the
// endpoint from AWS_ENDPOINT_URL_SNS / AWS_ENDPOINT_URL or sns.<region>.amazonaws.com, the
// credentials from the default chain.
#ifndef PICTOR_NOTIFY_SNS_SNS_NOTIFIER_H_
#define PICTOR_NOTIFY_SNS_SNS_NOTIFIER_H_

#include <memory>
#include <string>

#include "pictor/notifier.h"

namespace pictor::notify {

// "arn:aws:sns:us-east-1:123456789012:alerts" -> "us-east-1"; "" when not an SNS topic ARN.
std::string RegionOfTopicArn(const std::string& arn);

// InvalidArgument for something that is not an SNS topic ARN. Notify publishes once (AwsClient
// retries transient failures itself); AWS errors become Statuses through aws/error.h.
Result<std::unique_ptr<Notifier>> NewSnsNotifier(const std::string& topic_arn);

}  // namespace pictor::notify

#endif  // PICTOR_NOTIFY_SNS_SNS_NOTIFIER_H_
