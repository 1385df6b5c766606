#include "alarm/cloudwatch_source.h"

#include <fmt/format.h>

#include <ctime>
#include <vector>

#include "aws/credentials.h"
#include "aws/endpoint.h"
#include "core/percent_encoding.h"
#include "net/http_client.h"

namespace pictor::alarm {
namespace {

using Clock = std::chrono::system_clock;

// ISO 8601 in UTC, whole seconds, as the query protocol takes timestamps.
std::string Iso8601(Clock::time_point t) {
  const std::time_t secs = Clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The text between the first <tag> and its </tag> at or after `from`; npos-safe.
std::optional<std::string_view> Element(std::string_view xml, std::string_view tag, size_t from = 0,
                                        size_t* end = nullptr) {
  const std::string open = fmt::format("<{}>", tag);
  const std::string close = fmt::format("</{}>", tag);
  const size_t start = xml.find(open, from);
  if (start == std::string_view::npos) return std::nullopt;
  const size_t stop = xml.find(close, start + open.size());
  if (stop == std::string_view::npos) return std::nullopt;
  if (end != nullptr) *end = stop + close.size();
  return xml.substr(start + open.size(), stop - start - open.size());
}

class CloudWatchMetricSource final : public MetricSource {
 public:
  CloudWatchMetricSource(aws::AwsClient& client, CloudWatchQuery query,
                         std::function<Clock::time_point()> clock)
      : client_(client), query_(std::move(query)), clock_(std::move(clock)) {}

  Result<double> Sample() override {
    aws::AwsRequest request;
    request.method = "POST";
    request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    request.body = GetMetricDataBody(query_, clock_());
    auto reply = client_.Send(request);
    if (!reply.ok()) return reply.status().WithContext("CloudWatch GetMetricData");
    auto value = ParseGetMetricDataReply(reply->body);
    if (!value.ok()) return value.status();
    if (!value->has_value()) {
      return Status::Unavailable(fmt::format("CloudWatch has no {} datapoint for queue {} yet",
                                             query_.metric, query_.queue_name));
    }
    return **value;
  }

  std::string Note() const override { return ""; }

 private:
  aws::AwsClient& client_;
  const CloudWatchQuery query_;
  const std::function<Clock::time_point()> clock_;
};

// Owns what the client borrows.
class OwningCloudWatchSource final : public MetricSource {
 public:
  OwningCloudWatchSource(const std::string& region, CloudWatchQuery query)
      : http_(net::NewHttpClient(2)),
        credentials_(aws::CredentialsProvider::FromChain({}, *http_)),
        client_(
            aws::AwsClientOptions{.service = "monitoring",
                                  .region = region,
                                  .endpoint = aws::ResolveEndpoint(
                                      "CLOUDWATCH", "monitoring.{region}.amazonaws.com", region)},
            *http_, *credentials_),
        source_(client_, std::move(query), [] { return Clock::now(); }) {}

  Result<double> Sample() override { return source_.Sample(); }
  std::string Note() const override { return source_.Note(); }

 private:
  std::unique_ptr<net::HttpClient> http_;
  std::unique_ptr<aws::CredentialsProvider> credentials_;
  aws::AwsClient client_;
  CloudWatchMetricSource source_;
};

}  // namespace

std::string GetMetricDataBody(const CloudWatchQuery& q, Clock::time_point end) {
  const std::string m = "MetricDataQueries.member.1.";
  const std::vector<std::pair<std::string, std::string>> fields = {
      {"Action", "GetMetricData"},
      {"Version", "2010-08-01"},
      {m + "Id", "queue"},
      {m + "MetricStat.Metric.Namespace", "AWS/SQS"},
      {m + "MetricStat.Metric.MetricName", q.metric},
      {m + "MetricStat.Metric.Dimensions.member.1.Name", "QueueName"},
      {m + "MetricStat.Metric.Dimensions.member.1.Value", q.queue_name},
      {m + "MetricStat.Period", std::to_string(q.period.count())},
      {m + "MetricStat.Stat", q.statistic},
      {m + "ReturnData", "true"},
      {"StartTime", Iso8601(end - q.lookback)},
      {"EndTime", Iso8601(end)},
      {"ScanBy", "TimestampDescending"},
      {"MaxDatapoints", "10"},
  };
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += '&';
    out.append(PercentEncode(k)).append("=").append(PercentEncode(v));
  }
  return out;
}

Result<std::optional<double>> ParseGetMetricDataReply(std::string_view xml) {
  if (xml.find("<GetMetricDataResponse") == std::string_view::npos) {
    return Status::InvalidArgument("CloudWatch answered something other than GetMetricData");
  }
  auto results = Element(xml, "MetricDataResults");
  if (!results) return std::optional<double>();
  auto values = Element(*results, "Values");
  if (!values) return std::optional<double>();
  auto first = Element(*values, "member");  // newest first (ScanBy=TimestampDescending)
  if (!first) return std::optional<double>();
  const std::string text(*first);
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size()) {
    return Status::InvalidArgument(
        fmt::format("CloudWatch sent a value '{}' that is not a number", text.substr(0, 40)));
  }
  return std::optional<double>(v);
}

std::unique_ptr<MetricSource> NewCloudWatchMetricSource(aws::AwsClient& client,
                                                        CloudWatchQuery query,
                                                        std::function<Clock::time_point()> clock) {
  return std::make_unique<CloudWatchMetricSource>(client, std::move(query), std::move(clock));
}

std::unique_ptr<MetricSource> NewCloudWatchMetricSource(const std::string& region,
                                                        CloudWatchQuery query) {
  return std::make_unique<OwningCloudWatchSource>(region, std::move(query));
}

}  // namespace pictor::alarm
