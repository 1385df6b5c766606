#include "pictor/status.h"

#include <gtest/gtest.h>

#include "core/backoff.h"

namespace pictor {
namespace {

TEST(Status, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(Status, RetryableOnlyForTransientCodes) {
  EXPECT_TRUE(Status::Unavailable("x").IsRetryable());
  EXPECT_TRUE(Status::ResourceExhausted("x").IsRetryable());
  EXPECT_TRUE(Status::DeadlineExceeded("x").IsRetryable());
  EXPECT_FALSE(Status::InvalidArgument("x").IsRetryable());
  EXPECT_FALSE(Status::Internal("x").IsRetryable());
  EXPECT_FALSE(Status::NotFound("x").IsRetryable());
}

TEST(Status, CallerRefusalsKeepTheirReasonAndRetryTime) {
  EXPECT_EQ(Status::Unauthenticated("no key").reason(), "invalid_api_key");
  EXPECT_EQ(Status::Forbidden("no scope").reason(), "insufficient_scope");
  EXPECT_FALSE(Status::Forbidden("x").IsRetryable());
  const Status spent = Status::QuotaExceeded("spent", "budget_exhausted", 1234);
  EXPECT_TRUE(spent.IsRetryable());
  EXPECT_EQ(spent.retry_at_ms(), 1234);
  const Status wrapped = spent.WithContext("charging");
  EXPECT_EQ(wrapped.retry_at_ms(), 1234);
  EXPECT_EQ(wrapped.reason(), "budget_exhausted");
  EXPECT_EQ(Status::Ok().WithRetryAt(5).retry_at_ms(), 0);
  EXPECT_EQ(StatusCodeName(StatusCode::kQuotaExceeded), "quota_exceeded");
}

TEST(Status, ReasonDefaultsToCodeName) {
  EXPECT_EQ(Status::NotFound("x").reason(), "not_found");
  EXPECT_EQ(Status::InvalidArgument("x", "prompt_too_long").reason(), "prompt_too_long");
}

TEST(Status, ContextPrefixesMessageAndKeepsCodeAndReason) {
  Status s = Status::InvalidArgument("bad", "why").WithContext("storing k");
  EXPECT_EQ(s.message(), "storing k: bad");
  EXPECT_EQ(s.reason(), "why");
  EXPECT_TRUE(s.IsInvalidArgument());
}

TEST(Status, CarriesNoPeerAnswerUnlessGivenOne) {
  Status s = Status::NotFound("x");
  EXPECT_EQ(s.peer_http_status(), 0);
  EXPECT_EQ(s.peer_code(), "");
}

TEST(Status, WithPeerKeepsCodeMessageAndReason) {
  Status s = Status::InvalidArgument("bad", "why").WithPeer({.http_status = 400, .code = "V"});
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "bad");
  EXPECT_EQ(s.reason(), "why");
  EXPECT_EQ(s.peer_http_status(), 400);
  EXPECT_EQ(s.peer_code(), "V");
  EXPECT_EQ(s.ToString(), "invalid_argument: bad");  // the message is unchanged
}

TEST(Status, AnOkStatusGetsNoPeerAnswer) {
  Status s = Status::Ok().WithPeer({.http_status = 412, .code = "PreconditionFailed"});
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.peer_http_status(), 0);
  EXPECT_EQ(s.peer_code(), "");
}

TEST(Status, PeerAnswerSurvivesContextCopiesAndResult) {
  Status s = Status::NotFound("gone")
                 .WithPeer({.http_status = 404, .code = "NoSuchBucket"})
                 .WithContext("s3")
                 .WithContext("reading k");
  EXPECT_EQ(s.message(), "reading k: s3: gone");
  EXPECT_EQ(s.peer_http_status(), 404);
  EXPECT_EQ(s.peer_code(), "NoSuchBucket");
  Status copy = s;
  EXPECT_EQ(copy.peer().code, "NoSuchBucket");
  Result<int> r = std::move(copy);
  EXPECT_EQ(r.status().peer_http_status(), 404);
  EXPECT_EQ(r.status().peer_code(), "NoSuchBucket");
}

TEST(Result, HoldsValueOrStatus) {
  Result<int> v = 7;
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(*v, 7);
  Result<int> e = Status::NotFound("gone");
  EXPECT_FALSE(e.ok());
  EXPECT_TRUE(e.status().IsNotFound());
}

TEST(Backoff, FullJitterStaysUnderTheExponentialCeiling) {
  BackoffPolicy p{std::chrono::milliseconds(100), std::chrono::milliseconds(1000)};
  EXPECT_EQ(FullJitterDelay(p, 1, 0.999).count(), 99);
  EXPECT_EQ(FullJitterDelay(p, 3, 0.5).count(), 200);
  EXPECT_EQ(FullJitterDelay(p, 30, 0.5).count(), 500);  // capped at 1000
  EXPECT_EQ(FullJitterDelay(p, 2, 0.0).count(), 0);
  for (int attempt = 1; attempt < 10; ++attempt) {
    auto d = FullJitterDelay(p, attempt);
    EXPECT_GE(d.count(), 0);
    EXPECT_LE(d.count(), 1000);
  }
}

}  // namespace
}  // namespace pictor
