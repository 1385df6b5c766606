// A bucket on a fauxqs of its own, for the length of one contract case, and S3 stores on it:
// each store has its own HTTP client, as separate processes would. The bucket outlives every
// store it opened (they borrow its clients and credentials).
#ifndef PICTOR_TESTS_CONTRACT_FAUXQS_BUCKET_H_
#define PICTOR_TESTS_CONTRACT_FAUXQS_BUCKET_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "aws/aws_client.h"
#include "aws/credentials.h"
#include "net/http_client.h"
#include "peers/peer_process.h"
#include "pictor/object_store.h"
#include "store/s3/s3_store.h"

namespace pictor::testing {

class FauxqsBucket {
 public:
  // Starts the fauxqs and creates `bucket` on it.
  static Result<std::unique_ptr<FauxqsBucket>> Start(std::string bucket) {
    auto self = std::unique_ptr<FauxqsBucket>(new FauxqsBucket(std::move(bucket)));
    auto peer = StartFauxqs();
    if (!peer.ok()) return peer.status();
    self->peer_ = std::move(peer).value();
    aws::AwsClient client({"s3", "us-east-1", self->peer_->base_url(), true}, self->NewClient(),
                          self->credentials_);
    aws::AwsRequest request;
    request.method = "PUT";
    request.path = "/" + self->bucket_;
    if (auto made = client.Send(request); !made.ok()) return made.status();
    return self;
  }

  FauxqsBucket(const FauxqsBucket&) = delete;
  FauxqsBucket& operator=(const FauxqsBucket&) = delete;

  // A store object on the bucket, with an HTTP client of its own.
  Result<std::unique_ptr<ObjectStore>> OpenStore() {
    S3StoreOptions options;
    options.bucket = bucket_;
    options.region = "us-east-1";
    options.endpoint = peer_->base_url();
    return OpenS3Store(options, NewClient(), credentials_);
  }

 private:
  explicit FauxqsBucket(std::string bucket) : bucket_(std::move(bucket)) {}
  net::HttpClient& NewClient() { return *clients_.emplace_back(net::NewHttpClient()); }

  const std::string bucket_;
  std::unique_ptr<PeerProcess> peer_;
  std::vector<std::unique_ptr<net::HttpClient>> clients_;
  aws::CredentialsProvider credentials_{[] {
    return Result<aws::TimedCredentials>(aws::TimedCredentials{{"test", "test", ""}, {}, "t"});
  }};
};

}  // namespace pictor::testing

#endif  // PICTOR_TESTS_CONTRACT_FAUXQS_BUCKET_H_
