// Signing job webhooks the way the Standard Webhooks convention does
// (https://www.standardwebhooks.com): the receiver checks
//   webhook-signature: v1,<base64 HMAC-SHA256(key, webhook-id "." webhook-timestamp "." body)>
// with any Standard Webhooks library or a few lines of HMAC.
//
// Pure functions, thread-safe.
#ifndef PICTOR_CORE_WEBHOOK_SIGNATURE_H_
#define PICTOR_CORE_WEBHOOK_SIGNATURE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "pictor/status.h"

namespace pictor {

// The HMAC key a secret stands for. A Standard Webhooks secret, "whsec_" + base64, is the bytes
// the base64 encodes (InvalidArgument when it is not base64, or encodes nothing); any other
// non-empty text is used as it is, its bytes the key. Empty: InvalidArgument.
Result<std::string> WebhookSigningKey(std::string_view secret);

// "v1,<base64 HMAC-SHA256(key, id + "." + timestamp + "." + body)>".
std::string WebhookSignature(std::string_view key, std::string_view id, int64_t timestamp_s,
                             std::string_view body);

}  // namespace pictor

#endif  // PICTOR_CORE_WEBHOOK_SIGNATURE_H_
