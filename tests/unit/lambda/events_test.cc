#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/base64.h"
#include "lambda/api_gateway.h"
#include "lambda/invocation_metrics.h"
#include "lambda/runtime_loop.h"
#include "lambda/sqs_batch.h"

namespace pictor::lambda {
namespace {

using nlohmann::json;

TEST(ClassifyEvent, TellsApiGatewayV1V2AndSqsApart) {
  EXPECT_EQ(ClassifyEvent({{"httpMethod", "GET"}, {"requestContext", json::object()}}),
            EventKind::kApiGatewayV1);
  EXPECT_EQ(ClassifyEvent({{"version", "2.0"}, {"rawPath", "/"}}), EventKind::kApiGatewayV2);
  EXPECT_EQ(ClassifyEvent({{"Records", {{{"eventSource", "aws:sqs"}}}}}), EventKind::kSqs);
  EXPECT_EQ(ClassifyEvent({{"Records", {{{"eventSource", "aws:s3"}}}}}), EventKind::kUnknown);
  EXPECT_EQ(ClassifyEvent(json::array()), EventKind::kUnknown);
}

TEST(RequestFromApiGateway, V2DropsANamedStageAndJoinsCookies) {
  json event = {{"version", "2.0"},
                {"rawPath", "/prod/jobs/a%20b"},
                {"rawQueryString", "x=1"},
                {"cookies", {"a=1", "b=2"}},
                {"headers", {{"content-type", "application/json"}}},
                {"requestContext", {{"stage", "prod"}, {"http", {{"method", "GET"}}}}}};
  auto r = RequestFromApiGateway(event, EventKind::kApiGatewayV2);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->path, "/jobs/a b");
  EXPECT_EQ(r->query, "x=1");
  EXPECT_EQ(r->headers.Get("Cookie").value_or(""), "a=1; b=2");
}

TEST(RequestFromApiGateway, DecodesABase64Body) {
  json event = {{"version", "2.0"},
                {"rawPath", "/generate-image"},
                {"requestContext", {{"http", {{"method", "POST"}}}}},
                {"body", Base64Encode("{\"prompt\":\"x\"}")},
                {"isBase64Encoded", true}};
  auto r = RequestFromApiGateway(event, EventKind::kApiGatewayV2);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body, "{\"prompt\":\"x\"}");
}

TEST(RequestFromApiGateway, RejectsABodyThatIsNotBase64) {
  json event = {{"httpMethod", "POST"},
                {"path", "/generate-image"},
                {"requestContext", json::object()},
                {"body", "not base64!"},
                {"isBase64Encoded", true}};
  EXPECT_TRUE(RequestFromApiGateway(event, EventKind::kApiGatewayV1).status().IsInvalidArgument());
}

TEST(RequestFromApiGateway, V1ReencodesMultiValueQueryParameters) {
  json event = {{"httpMethod", "GET"},
                {"path", "/images/k"},
                {"requestContext", json::object()},
                {"multiValueQueryStringParameters", {{"q", {"a b", "c&d"}}}}};
  auto r = RequestFromApiGateway(event, EventKind::kApiGatewayV1);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->query, "q=a%20b&q=c%26d");
}

TEST(ApiGatewayResponse, SendsAPngAsBase64AndJsonAsText) {
  http::HttpResponse png;
  png.headers.Add("Content-Type", "image/png");
  png.body = std::string("\x89PNG\r\n", 6);
  json out = ApiGatewayResponse(png, EventKind::kApiGatewayV2);
  EXPECT_TRUE(out["isBase64Encoded"].get<bool>());
  EXPECT_EQ(Base64Decode(out["body"].get<std::string>()).value_or(""), png.body);

  http::HttpResponse text;
  text.status = 404;
  text.headers.Add("Content-Type", "application/json");
  text.body = "{}";
  out = ApiGatewayResponse(text, EventKind::kApiGatewayV1);
  EXPECT_FALSE(out["isBase64Encoded"].get<bool>());
  EXPECT_EQ(out["statusCode"], 404);
  EXPECT_EQ(out["multiValueHeaders"]["Content-Type"][0], "application/json");
}

TEST(MessageFromSqsRecord, TakesTheReceiveCountFromTheAttributes) {
  json record = {{"messageId", "m-1"},
                 {"body", "{}"},
                 {"attributes", {{"ApproximateReceiveCount", "3"}, {"SentTimestamp", "17"}}}};
  auto m = MessageFromSqsRecord(record);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->message_id, "m-1");
  EXPECT_EQ(m->receive_count, 3);
  EXPECT_EQ(m->sent_timestamp_ms, 17);
}

TEST(MessageFromSqsRecord, RejectsARecordWithoutAMessageId) {
  EXPECT_TRUE(MessageFromSqsRecord({{"body", "{}"}}).status().IsInvalidArgument());
}

TEST(EmfLine, DeclaresEveryMetricItCarries) {
  InvocationLog::Drained latencies;
  latencies.generation_ms = {12.5};
  json line = json::parse(EmfLine({"sqs", 10, 3}, latencies, 1700000000000));
  EXPECT_EQ(line["Jobs"], 10);
  EXPECT_EQ(line["Failures"], 3);
  EXPECT_EQ(line["GenerationLatency"][0], 12.5);
  EXPECT_FALSE(line.contains("StorageLatency"));
  const json& directive = line["_aws"]["CloudWatchMetrics"][0];
  EXPECT_EQ(directive["Namespace"], "Pictor");
  EXPECT_EQ(directive["Metrics"].size(), 3u);
  EXPECT_EQ(line["_aws"]["Timestamp"], 1700000000000);
}

TEST(EmfLine, CarriesTheSpendOnlyWhenThereWasSome) {
  InvocationLog::Drained drained;
  drained.spend_usd = 0.12;
  json line = json::parse(EmfLine({"sqs", 3, 0}, drained, 1700000000000));
  EXPECT_DOUBLE_EQ(line["SpendUsd"].get<double>(), 0.12);
  EXPECT_EQ(line["_aws"]["CloudWatchMetrics"][0]["Metrics"].back(),
            json::parse(R"({"Name": "SpendUsd", "Unit": "None"})"));
  EXPECT_FALSE(json::parse(EmfLine({"sqs", 3, 0}, {}, 1700000000000)).contains("SpendUsd"));
}

TEST(EmfLine, WritesToTheGivenNamespace) {
  json line = json::parse(EmfLine({"api", 1, 0}, {}, 1700000000000, "Pictor/pictor-prod"));
  EXPECT_EQ(line["_aws"]["CloudWatchMetrics"][0]["Namespace"], "Pictor/pictor-prod");
  EXPECT_EQ(line["_aws"]["CloudWatchMetrics"][0]["Dimensions"], json::parse(R"([["Handler"]])"));
}

TEST(CheckMetricsNamespace, TakesWhatCloudWatchTakesAndNothingUnderAws) {
  for (const char* good : {"Pictor", "Pictor/pictor-prod", "team.images#1:dev", "My App_2"}) {
    EXPECT_TRUE(CheckMetricsNamespace(good).ok()) << good;
  }
  EXPECT_TRUE(CheckMetricsNamespace(std::string(255, 'n')).ok());
  for (const std::string& bad :
       {std::string(), std::string(256, 'n'), std::string("   "), std::string("AWS/Lambda"),
        std::string("Pictor\nprod"), std::string("Pictor\"x"), std::string("P\xc3\xa9")}) {
    Status s = CheckMetricsNamespace(bad);
    EXPECT_TRUE(s.IsInvalidArgument()) << bad;
  }
}

// API Gateway bodies are read with lenient padding (core/base64_test covers the codec itself).
TEST(RequestFromApiGateway, IgnoresExtraPaddingOfABase64Body) {
  json event = {{"httpMethod", "POST"},
                {"path", "/generate-image"},
                {"requestContext", json::object()},
                {"body", Base64Encode("ab") + "=="},
                {"isBase64Encoded", true}};
  auto r = RequestFromApiGateway(event, EventKind::kApiGatewayV1);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "ab");
}

TEST(ErrorTypeFor, NamesTheStatusCodeInCamelCase) {
  EXPECT_EQ(ErrorTypeFor(Status::InvalidArgument("x")), "Pictor.InvalidArgument");
  EXPECT_EQ(ErrorTypeFor(Status::Unavailable("x")), "Pictor.Unavailable");
}

}  // namespace
}  // namespace pictor::lambda
