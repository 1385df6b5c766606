// S3 on fauxqs for the tests of S3-backed adapters: the environment that points this process's
// S3 clients at a running fauxqs, and bucket creation through the project's own signed client.
#ifndef PICTOR_TESTS_PEERS_FAUXQS_S3_H_
#define PICTOR_TESTS_PEERS_FAUXQS_S3_H_

#include <string>

#include "pictor/status.h"

namespace pictor::testing {

// Static test credentials, us-east-1, no instance metadata, AWS_ENDPOINT_URL_S3 = `base_url`
// (and no general AWS_ENDPOINT_URL). Process-wide: call from a suite's SetUpTestSuite.
void PointS3AtFauxqs(const std::string& base_url);

// S3 CreateBucket on the fauxqs at `base_url`.
Status CreateFauxqsBucket(const std::string& base_url, const std::string& bucket);

}  // namespace pictor::testing

#endif  // PICTOR_TESTS_PEERS_FAUXQS_S3_H_
