#include "core/webhook_signature.h"

#include "core/base64.h"
#include "core/digest.h"

namespace pictor {

Result<std::string> WebhookSigningKey(std::string_view secret) {
  constexpr std::string_view kPrefix = "whsec_";
  if (secret.empty()) return Status::InvalidArgument("the webhook secret is empty");
  if (secret.substr(0, kPrefix.size()) != kPrefix) return std::string(secret);
  auto key = Base64Decode(secret.substr(kPrefix.size()));
  if (!key || key->empty()) {
    return Status::InvalidArgument(
        "the webhook secret starts with whsec_ but what follows is not base64 (a Standard "
        "Webhooks secret is whsec_ followed by the base64 of the key)");
  }
  return std::move(*key);
}

std::string WebhookSignature(std::string_view key, std::string_view id, int64_t timestamp_s,
                             std::string_view body) {
  std::string signed_content;
  signed_content.reserve(id.size() + body.size() + 24);
  signed_content.append(id).append(".").append(std::to_string(timestamp_s)).append(".");
  signed_content.append(body);
  return "v1," + Base64Encode(HmacSha256(key, signed_content));
}

}  // namespace pictor
