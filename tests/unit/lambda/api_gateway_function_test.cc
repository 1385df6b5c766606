// The Lambda API function: API Gateway v1 and v2 events answered through the Api's own route
// table, refusals (404, 405 with Allow) included, and generations counted by the route that
// answered.
#include "lambda/api_gateway_function.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

#include "fakes/fake_image_model.h"
#include "fakes/memory_store.h"
#include "http/api.h"

namespace pictor::lambda {
namespace {

using nlohmann::json;

json V1(const std::string& method, const std::string& path, const std::string& body = "") {
  return {{"httpMethod", method},
          {"path", path},
          {"headers", {{"Content-Type", "application/json"}}},
          {"requestContext", {{"identity", {{"sourceIp", "192.0.2.1"}}}}},
          {"body", body},
          {"isBase64Encoded", false}};
}

json V2(const std::string& method, const std::string& raw_path, const std::string& body = "") {
  return {{"version", "2.0"},
          {"rawPath", raw_path},
          {"rawQueryString", ""},
          {"headers", {{"content-type", "application/json"}}},
          {"requestContext", {{"stage", "prod"}, {"http", {{"method", method}}}}},
          {"body", body},
          {"isBase64Encoded", false}};
}

class ApiGatewayFunctionTest : public ::testing::Test {
 protected:
  ApiGatewayAnswer Answer(const json& event) {
    auto answer = AnswerApiGatewayEvent(api_, event, ClassifyEvent(event));
    EXPECT_TRUE(answer.ok()) << answer.status().ToString();
    return answer.ok() ? *answer : ApiGatewayAnswer{};
  }
  static json Body(const ApiGatewayAnswer& a) {
    return json::parse(a.response["body"].get<std::string>());
  }

  pictor::testing::FakeImageModel model_;
  pictor::testing::MemoryStore store_;
  Pipeline pipeline_{model_, store_};
  MetricsRegistry metrics_;
  http::Api api_{pipeline_, nullptr, nullptr, metrics_, http::ApiOptions{}};
};

TEST_F(ApiGatewayFunctionTest, V1AndV2GenerationsAreServedAndCounted) {
  ApiGatewayAnswer v1 = Answer(V1("POST", "/generate-image", R"({"prompt":"a cat"})"));
  EXPECT_EQ(v1.response["statusCode"], 200) << v1.response.dump();
  EXPECT_TRUE(v1.generation);
  EXPECT_FALSE(v1.failed);
  ApiGatewayAnswer v2 = Answer(V2("POST", "/prod/generate-image", R"({"prompt":"a dog"})"));
  EXPECT_EQ(v2.response["statusCode"], 200) << v2.response.dump();
  EXPECT_TRUE(v2.generation);
  EXPECT_EQ(model_.calls.load(), 2);
  ApiGatewayAnswer refused = Answer(V2("POST", "/generate-image", R"({"prompt":""})"));
  EXPECT_EQ(refused.response["statusCode"], 400);
  EXPECT_TRUE(refused.generation);
  EXPECT_TRUE(refused.failed);
}

TEST_F(ApiGatewayFunctionTest, WrongMethodIs405WithTheTablesAllowInV1AndV2) {
  ApiGatewayAnswer v1 = Answer(V1("PUT", "/generate-image", R"({"prompt":"a cat"})"));
  EXPECT_EQ(v1.response["statusCode"], 405);
  EXPECT_EQ(v1.response["headers"]["Allow"], "POST");
  EXPECT_EQ(v1.response["multiValueHeaders"]["Allow"][0], "POST");
  EXPECT_EQ(Body(v1)["error"], "method_not_allowed");
  EXPECT_FALSE(v1.generation);  // refused by the table: nothing was generated
  EXPECT_EQ(model_.calls.load(), 0);

  ApiGatewayAnswer v2 = Answer(V2("PUT", "/prod/jobs/abc"));
  EXPECT_EQ(v2.response["statusCode"], 405);
  EXPECT_EQ(v2.response["headers"]["Allow"], "GET, HEAD, DELETE");
  EXPECT_FALSE(v2.response.contains("multiValueHeaders"));
  EXPECT_FALSE(v2.generation);
}

TEST_F(ApiGatewayFunctionTest, UnknownPathIs404InV1AndV2) {
  ApiGatewayAnswer v1 = Answer(V1("GET", "/no/such/route"));
  EXPECT_EQ(v1.response["statusCode"], 404);
  EXPECT_EQ(Body(v1)["error"], "not_found");
  EXPECT_FALSE(v1.response["headers"].contains("Allow"));
  ApiGatewayAnswer v2 = Answer(V2("POST", "/prod/generate-image/extra", R"({"prompt":"x"})"));
  EXPECT_EQ(v2.response["statusCode"], 404);
  EXPECT_FALSE(v2.generation);
  EXPECT_EQ(model_.calls.load(), 0);
}

// The function has no list of its own: any route of the Api's table answers, HEAD after GET.
TEST_F(ApiGatewayFunctionTest, EveryApiRouteAnswersThroughTheSameTable) {
  EXPECT_EQ(Answer(V1("GET", "/healthz")).response["statusCode"], 200);
  EXPECT_EQ(Answer(V2("HEAD", "/prod/healthz")).response["statusCode"], 200);
  EXPECT_EQ(Answer(V2("GET", "/prod/metrics")).response["statusCode"], 200);
  ApiGatewayAnswer jobs = Answer(V1("POST", "/jobs", R"({"prompt":"x"})"));
  EXPECT_EQ(jobs.response["statusCode"], 503);  // no queue configured here
  EXPECT_FALSE(jobs.generation);
  // DELETE /jobs/{id} is the table's too: routed, and refused for want of a ledger here.
  EXPECT_EQ(Answer(V2("DELETE", "/prod/jobs/abc")).response["statusCode"], 503);
  // Counted under the table's labels, like any request the server answers.
  Answer(V1("PUT", "/generate-image"));
  std::string page = metrics_.RenderPrometheus();
  EXPECT_NE(page.find(R"(route="/healthz",method="HEAD",status="200"} 1)"), std::string::npos)
      << page;
  EXPECT_NE(page.find(R"(route="/generate-image",method="PUT",status="405"} 1)"), std::string::npos)
      << page;
}

// The OpenAI-compatible routes answer API Gateway events of both versions like any other route;
// a generation through them counts as the invocation's job.
TEST_F(ApiGatewayFunctionTest, OpenAiRoutesAnswerV1AndV2Events) {
  ApiGatewayAnswer v1 =
      Answer(V1("POST", "/v1/images/generations", R"({"prompt":"a cat","n":2,"size":"64x64"})"));
  ASSERT_EQ(v1.response["statusCode"], 200) << v1.response.dump();
  EXPECT_EQ(Body(v1)["data"].size(), 2u);
  EXPECT_TRUE(Body(v1)["data"][0]["url"].is_string());
  EXPECT_TRUE(v1.generation);
  EXPECT_FALSE(v1.failed);

  ApiGatewayAnswer v2 = Answer(V2("POST", "/prod/v1/images/generations",
                                  R"({"prompt":"a dog","response_format":"b64_json"})"));
  ASSERT_EQ(v2.response["statusCode"], 200) << v2.response.dump();
  EXPECT_TRUE(Body(v2)["data"][0]["b64_json"].is_string());
  EXPECT_TRUE(v2.generation);
  EXPECT_EQ(model_.calls.load(), 3);

  ApiGatewayAnswer bad =
      Answer(V2("POST", "/prod/v1/images/generations", R"({"prompt":"x","size":"abcxdef"})"));
  EXPECT_EQ(bad.response["statusCode"], 400);
  EXPECT_EQ(Body(bad)["error"]["param"], "size");
  EXPECT_EQ(Body(bad)["error"]["type"], "invalid_request_error");
  EXPECT_TRUE(bad.generation);
  EXPECT_TRUE(bad.failed);

  ApiGatewayAnswer models = Answer(V1("GET", "/v1/models"));
  ASSERT_EQ(models.response["statusCode"], 200);
  EXPECT_EQ(Body(models)["data"][0]["id"], "fake");
  EXPECT_FALSE(models.generation);
  ApiGatewayAnswer one = Answer(V2("GET", "/prod/v1/models/fake"));
  EXPECT_EQ(one.response["statusCode"], 200);
  ApiGatewayAnswer missing = Answer(V2("GET", "/prod/v1/models/dall-e-2"));
  EXPECT_EQ(missing.response["statusCode"], 404);
  EXPECT_EQ(Body(missing)["error"]["code"], "model_not_found");
}

TEST_F(ApiGatewayFunctionTest, AMalformedEventIsInvalidArgument) {
  json event = V2("GET", "/healthz");
  event["requestContext"].erase("http");
  auto answer = AnswerApiGatewayEvent(api_, event, EventKind::kApiGatewayV2);
  EXPECT_TRUE(answer.status().IsInvalidArgument());
}

}  // namespace
}  // namespace pictor::lambda
