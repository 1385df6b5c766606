// The Lambda API function with API keys: the same authentication as `pictor serve`, through the
// API Gateway v1 and v2 event shapes (headers as API Gateway passes them, queries in both forms).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

#include "core/authenticator.h"
#include "core/digest.h"
#include "fakes/fake_image_model.h"
#include "fakes/memory_key_store.h"
#include "fakes/memory_store.h"
#include "http/api.h"
#include "lambda/api_gateway_function.h"

namespace pictor::lambda {
namespace {

using nlohmann::json;

constexpr std::string_view kKey = "pk_LambdaKey0123456789abcdefghijklmnopqrstuvwx";

json V1(const std::string& path, json headers, json query = nullptr) {
  json e = {{"httpMethod", "POST"},
            {"path", path},
            {"headers", std::move(headers)},
            {"requestContext", {{"identity", {{"sourceIp", "192.0.2.1"}}}}},
            {"body", R"({"prompt":"a cat","width":64,"height":64})"},
            {"isBase64Encoded", false}};
  if (!query.is_null()) e["queryStringParameters"] = std::move(query);
  return e;
}

json V2(const std::string& raw_path, json headers, const std::string& query = "") {
  return {{"version", "2.0"},
          {"rawPath", raw_path},
          {"rawQueryString", query},
          {"headers", std::move(headers)},
          {"requestContext", {{"stage", "prod"}, {"http", {{"method", "POST"}}}}},
          {"body", R"({"prompt":"a dog","width":64,"height":64})"},
          {"isBase64Encoded", false}};
}

class ApiGatewayAuthTest : public ::testing::Test {
 protected:
  ApiGatewayAuthTest() {
    ApiKeyRecord record;
    record.name = "lambda-user";
    record.hash = Sha256Hex(kKey);
    record.scopes = kScopeGenerate | kScopeRead;
    EXPECT_TRUE(keys_.Create(record).ok());
  }

  http::ApiOptions Options() {
    http::ApiOptions o;
    o.access.authenticator = &authenticator_;
    return o;
  }

  json Answer(const json& event) {
    auto answer = AnswerApiGatewayEvent(api_, event, ClassifyEvent(event));
    EXPECT_TRUE(answer.ok()) << answer.status().ToString();
    return answer.ok() ? answer->response : json();
  }
  static json Body(const json& response) {
    return json::parse(response["body"].get<std::string>());
  }

  pictor::testing::MemoryKeyStore keys_;
  Authenticator authenticator_{keys_};  // no refresher thread: re-read by requests, as in Lambda
  pictor::testing::FakeImageModel model_;
  pictor::testing::MemoryStore store_;
  Pipeline pipeline_{model_, store_};
  MetricsRegistry metrics_;
  http::Api api_{pipeline_, nullptr, nullptr, metrics_, Options()};
};

TEST_F(ApiGatewayAuthTest, ValidKeyGeneratesInV1AndV2) {
  const std::string bearer = "Bearer " + std::string(kKey);
  EXPECT_EQ(Answer(V1("/generate-image", {{"Authorization", bearer}}))["statusCode"], 200);
  // API Gateway v2 lower-cases header names.
  EXPECT_EQ(Answer(V2("/prod/generate-image", {{"authorization", bearer}}))["statusCode"], 200);
  EXPECT_EQ(model_.calls.load(), 2);
}

TEST_F(ApiGatewayAuthTest, MissingOrUnknownKeyIs401InBothShapes) {
  json missing = Answer(V1("/generate-image", {{"Content-Type", "application/json"}}));
  EXPECT_EQ(missing["statusCode"], 401);
  EXPECT_EQ(Body(missing)["error"], "missing_api_key");
  json unknown =
      Answer(V2("/prod/generate-image", {{"authorization", "Bearer pk_" + std::string(43, 'Z')}}));
  EXPECT_EQ(unknown["statusCode"], 401);
  EXPECT_EQ(Body(unknown)["error"], "invalid_api_key");
  EXPECT_EQ(model_.calls.load(), 0);
}

TEST_F(ApiGatewayAuthTest, KeyInTheQueryIsRefusedInV1AndV2) {
  const std::string bearer = "Bearer " + std::string(kKey);
  json v1 =
      Answer(V1("/generate-image", {{"Authorization", bearer}}, {{"api_key", std::string(kKey)}}));
  EXPECT_EQ(v1["statusCode"], 400);
  EXPECT_EQ(Body(v1)["error"], "api_key_in_query");
  json v2 =
      Answer(V2("/prod/generate-image", {{"authorization", bearer}}, "k=" + std::string(kKey)));
  EXPECT_EQ(v2["statusCode"], 400);
  EXPECT_EQ(v2["body"].get<std::string>().find(std::string(kKey)), std::string::npos);
  EXPECT_EQ(model_.calls.load(), 0);
}

TEST_F(ApiGatewayAuthTest, HealthzNeedsNoKey) {
  json e = V2("/prod/healthz", json::object());
  e["requestContext"]["http"]["method"] = "GET";
  e["body"] = "";
  EXPECT_EQ(Answer(e)["statusCode"], 200);
}

}  // namespace
}  // namespace pictor::lambda
