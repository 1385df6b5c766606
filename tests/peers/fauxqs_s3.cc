#include "peers/fauxqs_s3.h"

#include <cstdlib>

#include "aws/aws_client.h"
#include "aws/credentials.h"
#include "aws/http_client.h"

namespace pictor::testing {

void PointS3AtFauxqs(const std::string& base_url) {
  ::setenv("AWS_ACCESS_KEY_ID", "test", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "test", 1);
  ::unsetenv("AWS_SESSION_TOKEN");
  ::setenv("AWS_REGION", "us-east-1", 1);
  ::setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
  ::unsetenv("AWS_ENDPOINT_URL");
  ::unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
  ::setenv("AWS_ENDPOINT_URL_S3", base_url.c_str(), 1);
}

Status CreateFauxqsBucket(const std::string& base_url, const std::string& bucket) {
  auto http = aws::NewHttpClient();
  aws::CredentialsProvider credentials([] {
    return Result<aws::TimedCredentials>(aws::TimedCredentials{{"test", "test", ""}, {}, "t"});
  });
  aws::AwsClient client({"s3", "us-east-1", base_url, true}, *http, credentials);
  aws::AwsRequest request;
  request.method = "PUT";
  request.path = "/" + bucket;
  return client.Send(request).status();
}

}  // namespace pictor::testing
