// A MetricSource that reads an SQS queue's metric from Amazon CloudWatch (GetMetricData), for
// queues on AWS itself, where SQS publishes ApproximateAgeOfOldestMessage to the AWS/SQS
// namespace. SQS-compatible servers elsewhere publish nothing to CloudWatch; they keep the
// JobQueue::Attributes source (metric_source.h).
//
// Protocol: CloudWatch's query protocol (form-encoded POST, Action=GetMetricData,
// Version=2010-08-01, an XML reply), which every CloudWatch endpoint accepts; signed with SigV4,
// service "monitoring". The newer JSON and CBOR protocols of the same API would do too, but the
// query protocol is the one the API has always had.
#ifndef PICTOR_ALARM_CLOUDWATCH_SOURCE_H_
#define PICTOR_ALARM_CLOUDWATCH_SOURCE_H_

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "alarm/alarm_rule.h"
#include "alarm/metric_source.h"
#include "aws/aws_client.h"

namespace pictor::alarm {

// The queue's name and region come parsed from the queue spec (src/app's registry reads the
// URL with the SQS adapter's parser): this source never reads a queue URL itself.
struct CloudWatchQuery {
  std::string queue_name;  // the QueueName dimension
  std::string metric = "ApproximateAgeOfOldestMessage";
  std::string statistic = "Maximum";
  std::chrono::seconds period{60};  // CloudWatch periods: 60 s or a multiple (SQS is per minute)
  std::chrono::seconds lookback{600};
};

// The form body of one GetMetricData call for the window [end - lookback, end], newest first.
std::string GetMetricDataBody(const CloudWatchQuery& query,
                              std::chrono::system_clock::time_point end);

// The newest value of the reply's first result; nullopt when it has none (no datapoint in the
// window). InvalidArgument for a reply that is not a GetMetricData response.
Result<std::optional<double>> ParseGetMetricDataReply(std::string_view xml);

// Reads `query` through `client` (borrowed; must outlive the source), asking for the window that
// ends at `clock()`. Each Sample is the newest CloudWatch datapoint; none is an Unavailable
// status (a missing datapoint for the alarm).
std::unique_ptr<MetricSource> NewCloudWatchMetricSource(
    aws::AwsClient& client, CloudWatchQuery query,
    std::function<std::chrono::system_clock::time_point()> clock = [] {
      return std::chrono::system_clock::now();
    });

// The same with its own HTTP client and default credentials chain, on the CloudWatch
// endpoint of `region` (AWS_ENDPOINT_URL_CLOUDWATCH, then monitoring.REGION.amazonaws.com).
std::unique_ptr<MetricSource> NewCloudWatchMetricSource(const std::string& region,
                                                        CloudWatchQuery query);

}  // namespace pictor::alarm

#endif  // PICTOR_ALARM_CLOUDWATCH_SOURCE_H_
