// Shared config parsing, region and endpoint resolution precedence.
#include "aws/endpoint.h"

#include <gtest/gtest.h>

#include "aws/shared_config.h"
#include "scoped_env.h"

namespace pictor::aws {
namespace {

using testing::ScopedAwsEnv;

TEST(ParseIniTest, ReadsSectionsKeysCommentsAndWhitespace) {
  IniDocument doc = ParseIni(
      "# leading comment\n"
      "[default]\n"
      "  aws_access_key_id   =  AKIDEXAMPLE   \n"
      "; another comment\n"
      "Region = eu-west-1 # inline note\n"
      "[profile dev]\r\n"
      "region=us-west-2\r\n"
      "s3 =\n"
      "  addressing_style = path\n"
      "output = json\n");
  EXPECT_EQ(doc["default"]["aws_access_key_id"], "AKIDEXAMPLE");
  EXPECT_EQ(doc["default"]["region"], "eu-west-1");
  EXPECT_EQ(doc["profile dev"]["region"], "us-west-2");
  EXPECT_FALSE(doc["profile dev"].contains("addressing_style"));
  EXPECT_EQ(doc["profile dev"]["output"], "json");
}

TEST(ParseIniTest, KeepsHashesInsideValues) {
  IniDocument doc = ParseIni("[a]\nsecret = ab#cd+/ef\n");
  EXPECT_EQ(doc["a"]["secret"], "ab#cd+/ef");
}

TEST(RegionTest, AwsRegionWinsOverDefaultRegionAndProfile) {
  ScopedAwsEnv env;
  env.WriteFile(".aws/config", "[default]\nregion = eu-north-1\n");
  env.Set("AWS_DEFAULT_REGION", "ap-south-1");
  env.Set("AWS_REGION", "us-east-2");
  EXPECT_EQ(ResolveRegion(), "us-east-2");
  env.Unset("AWS_REGION");
  EXPECT_EQ(ResolveRegion(), "ap-south-1");
  env.Unset("AWS_DEFAULT_REGION");
  EXPECT_EQ(ResolveRegion(), "eu-north-1");
}

TEST(RegionTest, ComesFromTheSelectedProfile) {
  ScopedAwsEnv env;
  env.WriteFile(".aws/config",
                "[default]\nregion = eu-north-1\n[profile work]\nregion = sa-east-1\n");
  EXPECT_EQ(ResolveRegion("work"), "sa-east-1");
  env.Set("AWS_PROFILE", "work");
  EXPECT_EQ(ResolveRegion(), "sa-east-1");
}

TEST(RegionTest, HonoursAwsConfigFile) {
  ScopedAwsEnv env;
  std::string path = env.WriteFile("elsewhere/cfg", "[default]\nregion = ca-central-1\n");
  env.Set("AWS_CONFIG_FILE", path);
  EXPECT_EQ(ResolveRegion(), "ca-central-1");
}

TEST(RegionTest, EmptyWhenNothingSaysSo) {
  ScopedAwsEnv env;
  EXPECT_EQ(ResolveRegion(), "");
}

TEST(EndpointTest, DefaultsToTheRegionalHost) {
  ScopedAwsEnv env;
  EXPECT_EQ(ResolveEndpoint("SQS", "sqs.{region}.amazonaws.com", "eu-west-1"),
            "https://sqs.eu-west-1.amazonaws.com");
}

TEST(EndpointTest, ServiceVariableWinsOverGlobalVariable) {
  ScopedAwsEnv env;
  env.Set("AWS_ENDPOINT_URL", "http://127.0.0.1:4566/");
  env.Set("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9000");
  EXPECT_EQ(ResolveEndpoint("S3", "s3.{region}.amazonaws.com", "us-east-1"),
            "http://127.0.0.1:9000");
  EXPECT_EQ(ResolveEndpoint("SQS", "sqs.{region}.amazonaws.com", "us-east-1"),
            "http://127.0.0.1:4566");
}

TEST(EndpointTest, IgnoreConfiguredEndpointUrlsRestoresTheDefault) {
  ScopedAwsEnv env;
  env.Set("AWS_ENDPOINT_URL", "http://127.0.0.1:4566");
  env.Set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE");
  EXPECT_EQ(
      ResolveEndpoint("BEDROCK_RUNTIME", "bedrock-runtime.{region}.amazonaws.com", "us-west-2"),
      "https://bedrock-runtime.us-west-2.amazonaws.com");
}

}  // namespace
}  // namespace pictor::aws
