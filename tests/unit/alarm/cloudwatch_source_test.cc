// The CloudWatch source: the GetMetricData request it signs and sends, and how it reads the
// reply, against a fake net::HttpClient (no network).
#include "alarm/cloudwatch_source.h"
#include "core/ascii.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <sstream>

#include "fakes/scripted_http_client.h"

namespace pictor::alarm {
namespace {

using Clock = std::chrono::system_clock;

std::map<std::string, std::string> Form(const std::string& body) {
  std::map<std::string, std::string> fields;
  std::istringstream parts(body);
  std::string part;
  while (std::getline(parts, part, '&')) {
    const size_t eq = part.find('=');
    auto decode = [](std::string s) {
      std::string out;
      for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
          out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
          i += 2;
        } else {
          out += s[i];
        }
      }
      return out;
    };
    fields[decode(part.substr(0, eq))] = decode(part.substr(eq + 1));
  }
  return fields;
}

constexpr const char* kReply =
    R"(<GetMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">
  <GetMetricDataResult>
    <MetricDataResults>
      <member>
        <Timestamps>
          <member>2024-05-01T12:03:00Z</member>
          <member>2024-05-01T12:02:00Z</member>
        </Timestamps>
        <Label>ApproximateAgeOfOldestMessage</Label>
        <Values>
          <member>417.0</member>
          <member>356.0</member>
        </Values>
        <Id>queue</Id>
        <StatusCode>Complete</StatusCode>
      </member>
    </MetricDataResults>
    <Messages/>
  </GetMetricDataResult>
  <ResponseMetadata><RequestId>0c7e</RequestId></ResponseMetadata>
</GetMetricDataResponse>)";

class CloudWatchSourceTest : public ::testing::Test {
 protected:
  CloudWatchSourceTest()
      : credentials_([]() -> Result<aws::TimedCredentials> {
          return aws::TimedCredentials{{"AKIDEXAMPLE", "secret", ""}, std::nullopt, "test"};
        }),
        client_(aws::AwsClientOptions{.service = "monitoring",
                                      .region = "eu-west-1",
                                      .endpoint = "https://monitoring.eu-west-1.amazonaws.com"},
                http_, credentials_) {}

  std::unique_ptr<MetricSource> Source() {
    CloudWatchQuery q;
    q.queue_name = "prompts";
    q.statistic = "Maximum";
    q.period = std::chrono::seconds(60);
    return NewCloudWatchMetricSource(client_, q, [] {
      return Clock::from_time_t(1714565000);  // 2024-05-01T12:03:20Z
    });
  }

  testing::ScriptedHttpClient http_;
  aws::CredentialsProvider credentials_;
  aws::AwsClient client_;
};

TEST_F(CloudWatchSourceTest, SendsAQueryProtocolGetMetricDataForTheQueueSignedForMonitoring) {
  http_.ReplyAlways(200, kReply);
  ASSERT_TRUE(Source()->Sample().ok());
  auto calls = http_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].method, "POST");
  EXPECT_EQ(calls[0].url, "https://monitoring.eu-west-1.amazonaws.com/");
  std::string authorization, content_type;
  for (const auto& [k, v] : calls[0].headers) {
    if (EqualsIgnoreCase(k, "Authorization")) authorization = v;
    if (EqualsIgnoreCase(k, "Content-Type")) content_type = v;
  }
  EXPECT_NE(authorization.find("/eu-west-1/monitoring/aws4_request"), std::string::npos)
      << authorization;
  EXPECT_EQ(content_type, "application/x-www-form-urlencoded");
  auto f = Form(calls[0].body);
  const std::string m = "MetricDataQueries.member.1.";
  EXPECT_EQ(f["Action"], "GetMetricData");
  EXPECT_EQ(f["Version"], "2010-08-01");
  EXPECT_EQ(f[m + "MetricStat.Metric.Namespace"], "AWS/SQS");
  EXPECT_EQ(f[m + "MetricStat.Metric.MetricName"], "ApproximateAgeOfOldestMessage");
  EXPECT_EQ(f[m + "MetricStat.Metric.Dimensions.member.1.Name"], "QueueName");
  EXPECT_EQ(f[m + "MetricStat.Metric.Dimensions.member.1.Value"], "prompts");
  EXPECT_EQ(f[m + "MetricStat.Stat"], "Maximum");
  EXPECT_EQ(f[m + "MetricStat.Period"], "60");
  EXPECT_EQ(f["EndTime"], "2024-05-01T12:03:20Z");
  EXPECT_EQ(f["StartTime"], "2024-05-01T11:53:20Z");
  EXPECT_EQ(f["ScanBy"], "TimestampDescending");
}

TEST_F(CloudWatchSourceTest, SampleIsTheNewestDatapoint) {
  http_.ReplyAlways(200, kReply);
  auto value = Source()->Sample();
  ASSERT_TRUE(value.ok()) << value.status().ToString();
  EXPECT_EQ(*value, 417.0);
}

TEST_F(CloudWatchSourceTest, NoDatapointIsAMissingSample) {
  http_.ReplyAlways(200,
                    "<GetMetricDataResponse><GetMetricDataResult><MetricDataResults><member>"
                    "<Timestamps/><Values/><Id>queue</Id><StatusCode>Complete</StatusCode></member>"
                    "</MetricDataResults></GetMetricDataResult></GetMetricDataResponse>");
  auto value = Source()->Sample();
  ASSERT_FALSE(value.ok());
  EXPECT_TRUE(value.status().IsRetryable()) << value.status().ToString();
  EXPECT_NE(value.status().message().find("no ApproximateAgeOfOldestMessage datapoint"),
            std::string::npos);
}

TEST_F(CloudWatchSourceTest, AnErrorReplyIsAnErrorNamingTheCall) {
  http_.ReplyAlways(
      400,
      "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameterValue</Code>"
      "<Message>bad period</Message></Error><RequestId>r1</RequestId></ErrorResponse>");
  auto value = Source()->Sample();
  ASSERT_FALSE(value.ok());
  EXPECT_NE(value.status().message().find("CloudWatch GetMetricData"), std::string::npos)
      << value.status().ToString();
}

TEST(CloudWatchReplyTest, ANonNumericValueIsRefused) {
  auto v = ParseGetMetricDataReply(
      "<GetMetricDataResponse><MetricDataResults><member><Values><member>abc</member>"
      "</Values></member></MetricDataResults></GetMetricDataResponse>");
  EXPECT_FALSE(v.ok());
}

TEST(CloudWatchReplyTest, AnotherDocumentIsRefused) {
  EXPECT_FALSE(ParseGetMetricDataReply("<html>proxy error</html>").ok());
}

}  // namespace
}  // namespace pictor::alarm
