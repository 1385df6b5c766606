// Queue URL parsing: AWS URLs with their region, custom endpoints, and refused specs.
#include "queue/sqs/queue_url.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "queue/sqs/sqs_queue.h"
#include "unit/queue_sqs/sqs_test_env.h"

namespace pictor::sqs {
namespace {

using testing::ScopedVar;

TEST(QueueUrl, AwsUrlGivesRegionAccountAndName) {
  auto url = ParseQueueUrl("https://sqs.eu-north-1.amazonaws.com/123456789012/prompts");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_EQ(url->region, "eu-north-1");
  EXPECT_EQ(url->account, "123456789012");
  EXPECT_EQ(url->name, "prompts");
  EXPECT_EQ(url->origin, "https://sqs.eu-north-1.amazonaws.com");
}

TEST(QueueUrl, LegacyAndChinaHostsGiveRegion) {
  EXPECT_EQ(ParseQueueUrl("https://eu-west-1.queue.amazonaws.com/1/q")->region, "eu-west-1");
  EXPECT_EQ(ParseQueueUrl("https://queue.amazonaws.com/1/q")->region, "us-east-1");
  EXPECT_EQ(ParseQueueUrl("https://sqs.cn-north-1.amazonaws.com.cn/1/q")->region, "cn-north-1");
}

TEST(QueueUrl, CustomEndpointKeepsPortAndTakesRegionFromEnvironment) {
  ScopedVar region("AWS_REGION", "ap-south-1");
  ScopedVar a("AWS_ENDPOINT_URL", nullptr), b("AWS_ENDPOINT_URL_SQS", nullptr);
  auto url = ParseQueueUrl("http://127.0.0.1:9324/000000000000/jobs-1/");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_EQ(url->url, "http://127.0.0.1:9324/000000000000/jobs-1");
  EXPECT_EQ(url->host, "127.0.0.1:9324");
  EXPECT_EQ(url->region, "");
  EXPECT_EQ(ResolveQueueRegion(*url), "ap-south-1");
  EXPECT_EQ(ResolveQueueEndpoint(*url, "ap-south-1"), "http://127.0.0.1:9324");
}

TEST(QueueUrl, RegionDefaultsToUsEast1WhenNothingSays) {
  ScopedVar region("AWS_REGION", nullptr), fallback("AWS_DEFAULT_REGION", nullptr);
  ScopedVar config("AWS_CONFIG_FILE", "/nonexistent/config");
  EXPECT_EQ(ResolveQueueRegion(*ParseQueueUrl("http://localhost:1/a/b")), "us-east-1");
}

TEST(QueueUrl, EndpointVariableOverridesTheUrlOrigin) {
  ScopedVar sqs("AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:4566");
  auto url = ParseQueueUrl("https://sqs.us-west-2.amazonaws.com/123456789012/prompts");
  EXPECT_EQ(ResolveQueueEndpoint(*url, "us-west-2"), "http://127.0.0.1:4566");
}

TEST(QueueUrl, BadSpecsAreInvalidArgument) {
  const std::vector<std::string> specs = {"",
                                          "sqlite:queue.db",
                                          "https://sqs.us-east-1.amazonaws.com/prompts",
                                          "https://sqs.us-east-1.amazonaws.com/1/2/3",
                                          "ftp://host/1/q",
                                          "https:///1/q",
                                          "https://host/1/q?x=1",
                                          "https://host//q",
                                          "https://host/1/bad name",
                                          "https://host/1/has.dot",
                                          std::string("https://host/1/") + std::string(81, 'a')};
  for (const std::string& spec : specs) {
    auto url = ParseQueueUrl(spec);
    EXPECT_FALSE(url.ok()) << spec;
    EXPECT_TRUE(url.status().IsInvalidArgument()) << spec;
  }
}

TEST(QueueUrl, IsSqsQueueUrlAcceptsQueueUrlShapesOnly) {
  EXPECT_TRUE(IsSqsQueueUrl("https://sqs.us-east-1.amazonaws.com/123456789012/prompts"));
  EXPECT_TRUE(IsSqsQueueUrl("http://localhost:9324/queue/prompts"));
  EXPECT_FALSE(IsSqsQueueUrl("s3://bucket/prefix"));
  EXPECT_FALSE(IsSqsQueueUrl("https://example.com/webhook"));
  EXPECT_FALSE(pictor::IsSqsQueueUrl("sqlite:/var/queue.db"));
}

TEST(QueueUrl, FifoQueueIsUnsupportedByTheAdapter) {
  auto queue = OpenSqsQueue({.queue_url = "http://127.0.0.1:1/000000000000/jobs.fifo"});
  ASSERT_FALSE(queue.ok());
  EXPECT_EQ(queue.status().code(), StatusCode::kUnsupported);
}

}  // namespace
}  // namespace pictor::sqs
