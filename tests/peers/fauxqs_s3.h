// S3 on fauxqs for the tests of S3-backed adapters: a GoogleTest fixture that starts one fauxqs
// per suite, points this process's S3 clients at it, and makes a fresh bucket for each test.
#ifndef PICTOR_TESTS_PEERS_FAUXQS_S3_H_
#define PICTOR_TESTS_PEERS_FAUXQS_S3_H_

#include <gtest/gtest.h>

#include <string>

#include "peers/peer_process.h"
#include "pictor/status.h"

namespace pictor::testing {

class FauxqsS3Test : public ::testing::Test {
 protected:
  // Starts fauxqs and sets static test credentials, us-east-1, no instance metadata and
  // AWS_ENDPOINT_URL_S3 (and no general AWS_ENDPOINT_URL) for the whole process.
  static void SetUpTestSuite();
  static void TearDownTestSuite();

  // Fails the test when fauxqs did not start, else creates `bucket_` ("<stem>-<n>", a name no
  // other test of the suite uses).
  void SetUp() override;
  virtual std::string BucketStem() const { return "pictor-test"; }

  // S3 CreateBucket, sent with the project's own signed client.
  static Status CreateBucket(const std::string& bucket);
  static std::string Endpoint() { return fauxqs_->base_url(); }

  std::string bucket_;

 private:
  static inline PeerProcess* fauxqs_ = nullptr;
  static inline int next_bucket_ = 0;
};

}  // namespace pictor::testing

#endif  // PICTOR_TESTS_PEERS_FAUXQS_S3_H_
