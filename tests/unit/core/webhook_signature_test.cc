// Standard Webhooks signatures (core/webhook_signature.h), against the convention's published
// example and a vector computed with Python's hmac.
#include "core/webhook_signature.h"

#include <gtest/gtest.h>

namespace pictor {
namespace {

TEST(WebhookSignature, MatchesTheStandardWebhooksExample) {
  // https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
  auto key = WebhookSigningKey("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(
      WebhookSignature(*key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, R"({"test": 2432232314})"),
      "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(WebhookSignature, UsesASecretWithoutThePrefixAsItsBytes) {
  // python3 -c "import hmac,hashlib,base64; print(base64.b64encode(hmac.new(b'plain-secret',
  //   b'id.1.{}', hashlib.sha256).digest()).decode())"
  auto key = WebhookSigningKey("plain-secret");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(*key, "plain-secret");
  EXPECT_EQ(WebhookSignature(*key, "id", 1, "{}"),
            "v1,YJEsdQhkzbZdLp/e3cpgquF7sPLpRndL4KjdgFz1NLk=");
}

TEST(WebhookSignature, RefusesAnEmptyOrBrokenSecret) {
  EXPECT_FALSE(WebhookSigningKey("").ok());
  EXPECT_FALSE(WebhookSigningKey("whsec_").ok());
  EXPECT_FALSE(WebhookSigningKey("whsec_not base64!").ok());
}

}  // namespace
}  // namespace pictor
