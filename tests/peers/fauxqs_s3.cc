#include "peers/fauxqs_s3.h"

#include <cstdlib>

#include "aws/aws_client.h"
#include "aws/credentials.h"
#include "net/http_client.h"

namespace pictor::testing {

void FauxqsS3Test::SetUpTestSuite() {
  auto fauxqs = StartFauxqs();
  ASSERT_TRUE(fauxqs.ok()) << fauxqs.status().ToString();
  fauxqs_ = std::move(fauxqs).value().release();
  ::setenv("AWS_ACCESS_KEY_ID", "test", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "test", 1);
  ::unsetenv("AWS_SESSION_TOKEN");
  ::setenv("AWS_REGION", "us-east-1", 1);
  ::setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
  ::unsetenv("AWS_ENDPOINT_URL");
  ::unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
  ::setenv("AWS_ENDPOINT_URL_S3", fauxqs_->base_url().c_str(), 1);
}

void FauxqsS3Test::TearDownTestSuite() {
  delete fauxqs_;
  fauxqs_ = nullptr;
}

void FauxqsS3Test::SetUp() {
  ASSERT_NE(fauxqs_, nullptr);
  bucket_ = BucketStem() + "-" + std::to_string(next_bucket_++);
  Status created = CreateBucket(bucket_);
  ASSERT_TRUE(created.ok()) << created.ToString();
}

Status FauxqsS3Test::CreateBucket(const std::string& bucket) {
  auto http = net::NewHttpClient();
  aws::CredentialsProvider credentials([] {
    return Result<aws::TimedCredentials>(aws::TimedCredentials{{"test", "test", ""}, {}, "t"});
  });
  aws::AwsClient client({"s3", "us-east-1", fauxqs_->base_url(), true}, *http, credentials);
  aws::AwsRequest request;
  request.method = "PUT";
  request.path = "/" + bucket;
  return client.Send(request).status();
}

}  // namespace pictor::testing
